/**
 * A request-like view of a node:http request whose JSON body has been read, for yoga's pipeline on
 * the fast path: what plugins read of a fetch Request (method, url, headers, signal, json/text),
 * without a fetch Request's per-request streams and AbortController.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** The fetch Headers reading interface over node's lower-cased header object. */
export class NodeHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  forEach(callback: (value: string, key: string, parent: NodeHeaders) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const key of Object.keys(this.raw).sort()) {
      const value = this.get(key);
      if (value !== null) yield [key, value];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

export class NodeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: NodeHeaders;
  private controller?: AbortController;
  private parsed?: { value: unknown };

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly bodyText: string,
  ) {
    this.method = req.method ?? 'POST';
    // As @whatwg-node/server builds it for yoga.
    this.url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
    this.headers = new NodeHeaders(req.headers);
  }

  /** Aborted when the client goes away before the response is sent; created on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      const res = this.res;
      const abort = () => {
        if (!controller.signal.aborted) controller.abort(res.errored ?? undefined);
      };
      if (res.writableFinished) return controller.signal;
      res.once('error', abort);
      res.once('close', abort);
      res.once('finish', () => res.removeListener('close', abort));
    }
    return this.controller.signal;
  }

  /** As @whatwg-node's Request does it, invalid JSON included (yoga words its error from this one). */
  json(): Promise<unknown> {
    if (this.parsed === undefined) {
      try {
        this.parsed = { value: JSON.parse(this.bodyText) };
      } catch (error) {
        if (error instanceof SyntaxError) error.message += `, "${this.bodyText}" is not valid JSON`;
        return Promise.reject(error);
      }
    }
    return Promise.resolve(this.parsed.value);
  }

  text(): Promise<string> {
    return Promise.resolve(this.bodyText);
  }
}
