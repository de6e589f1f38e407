/**
 * Writes a fetch Response built by yoga to a node response, as @whatwg-node/server's
 * sendNodeResponse does (one writeHead with the response's own header object when it has not been
 * changed since it was built), so the bytes on the wire are the same.
 */
import type { ServerResponse } from 'node:http';

/** The parts of @whatwg-node's Response and Headers that its own node writer reads. */
interface PonyfillResponse extends Response {
  bodyType?: string;
  bodyInit?: unknown;
  _buffer?: Uint8Array;
}
interface PonyfillHeaders extends Headers {
  headersInit?: unknown;
  _map?: unknown;
  _setCookies?: string[];
}

export async function sendResponse(response: Response | undefined, res: ServerResponse): Promise<void> {
  if (res.closed || res.destroyed || res.writableEnded) return;
  if (!response) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const r = response as PonyfillResponse;
  const headers = r.headers as PonyfillHeaders;
  const init = headers.headersInit as Record<string, string> | undefined;
  if (init && !Array.isArray(init) && typeof (init as { get?: unknown }).get !== 'function' && !headers._map && !headers._setCookies?.length) {
    res.writeHead(r.status, r.statusText, init);
  } else {
    res.setHeaders(headers as unknown as Map<string, string>);
    res.writeHead(r.status, r.statusText);
  }
  if (r.bodyType === 'String') {
    res.end(r.bodyInit as string);
  } else if (r._buffer) {
    res.end(r._buffer);
  } else if (r.body == null) {
    res.end();
  } else {
    // Not produced for the requests the fast path takes (JSON answers only); written whole.
    res.end(Buffer.from(await r.arrayBuffer()));
  }
}
