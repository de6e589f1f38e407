/**
 * A minimal GraphQL-over-HTTP client for the load generator: node:http with a keep-alive agent
 * (lower per-request overhead in the client than the global fetch; undici is not a dependency).
 */
import * as http from 'node:http';

export interface GraphQLClient {
  /** POSTs one operation; resolves to `data`, rejects when the response has errors or is not 200. */
  request<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): void;
}

/** `agent`: a keep-alive pool shared with other clients (each still sends its own token), as the node agents share theirs; close() leaves it open. */
export function createGraphQLClient(url: string, options: { maxSockets?: number; transport?: 'http' | 'fetch'; token?: string; agent?: http.Agent } = {}): GraphQLClient {
  if (options.transport === 'fetch') return createFetchClient(url, options.token);
  const authorization = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const target = new URL(url);
  const agent = options.agent ?? new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64, maxFreeSockets: options.maxSockets ?? 64 });

  function request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const body = JSON.stringify(variables ? { query, variables } : { query });
    return send<T>(body, true);
  }

  /**
   * One POST. A kept-alive connection the server closed as idle just as the request went out
   * fails with ECONNRESET before any answer; as Node's documentation advises, that request is
   * sent once more, on a connection of its own (the server never read it; another kept-alive
   * connection may be as stale).
   */
  function send<T>(body: string, retry: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          agent: retry ? agent : false,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
            ...authorization,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: { data?: T; errors?: { message: string; extensions?: unknown }[] };
            try {
              parsed = JSON.parse(text);
            } catch {
              reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
              return;
            }
            if (parsed.errors?.length) {
              reject(new Error(`GraphQL error: ${parsed.errors.map((e) => `${e.message} ${JSON.stringify(e.extensions ?? {})}`).join('; ')}`));
            } else if (res.statusCode !== 200 || parsed.data === undefined) {
              reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
            } else {
              resolve(parsed.data);
            }
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (retry && req.reusedSocket && error.code === 'ECONNRESET') send<T>(body, false).then(resolve, reject);
        else reject(error);
      });
      req.end(body);
    });
  }

  return { request, close: () => (options.agent ? undefined : agent.destroy()) };
}

/** The same over the global fetch (undici inside Node, keep-alive by default), for comparison. */
function createFetchClient(url: string, token?: string): GraphQLClient {
  return {
    async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(variables ? { query, variables } : { query }),
      });
      const text = await res.text();
      let parsed: { data?: T; errors?: { message: string; extensions?: unknown }[] };
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${res.status}: ${text.slice(0, 500)}`);
      }
      if (parsed.errors?.length) throw new Error(`GraphQL error: ${parsed.errors.map((e) => `${e.message} ${JSON.stringify(e.extensions ?? {})}`).join('; ')}`);
      if (res.status !== 200 || parsed.data === undefined) throw new Error(`HTTP ${res.status}: ${text.slice(0, 500)}`);
      return parsed.data;
    },
    close() {},
  };
}
