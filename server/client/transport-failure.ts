/**
 * Which failures of the transport mean "this server is gone, try another" (failover), and whether
 * the request could have run before it failed: a retry elsewhere is safe when it could not (the
 * connection was refused) or when the request is idempotent (a read, or writes with requestIds).
 */

/** Errors of connecting: nothing was sent, so nothing ran. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** The request never reached a server (so it did not run, whatever it was). */
export function wasNotSent(error: unknown): boolean {
  return NOT_SENT.has(String((error as { code?: unknown })?.code));
}

/** HTTP answers that say "not this server, not now": 503 (not ready, shutting down); 502 and 504 from a proxy in front. */
export function isUnavailableStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/** 503 is the server's own "not ready": the request did not run. A proxy's 502/504 leaves it unknown. */
export function statusMeansNotRun(status: number): boolean {
  return status === 503;
}

/**
 * A subscription socket's end that calls for another server: it could not be opened, or it closed
 * abnormally (1006 after a kill -9, 1001 going away, 1011/1012/1013 server trouble or restart), or
 * the server failed internally (4500), or it stopped answering and this client gave the socket up
 * (4499). Protocol refusals (4400 bad request, 4401/4403 auth, 4429 too
 * many init requests) would be the same on every server of the log, so they do not move the client.
 */
export function socketEndCallsForFailover(error: unknown): boolean {
  if (Array.isArray(error)) return false; // GraphQL errors of one subscription
  const code = (error as { code?: unknown })?.code;
  // 4499: this client terminated a socket its server left unanswered (client.ts keep-alive).
  if (typeof code === 'number') return code !== 1000 && (code < 4000 || code === 4500 || code === 4499);
  return true; // an Error or error event: the socket never opened or broke
}

/** Whether a GraphQL document holds a mutation (whose outcome is unknown when its connection breaks mid-request). */
export function isMutationDocument(query: string): boolean {
  return /(^|[^\w$])mutation\s*[({A-Za-z_]/.test(query.replace(/#[^\n]*/g, '').replace(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"/g, '""'));
}
