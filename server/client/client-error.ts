/** An error answered by the API server, with its machine-readable code (DESIGN §4), or a transport failure. */
export class ClientError extends Error {
  readonly code: string;
  readonly errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;

  constructor(errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>, fallbackCode = 'INTERNAL_SERVER_ERROR') {
    super(errors.map((e) => e.message).join('; ') || 'request failed');
    this.name = 'ClientError';
    this.errors = errors;
    this.code = String(errors[0]?.extensions?.code ?? fallbackCode);
  }
}

/** The socket closed or could not be opened: retry after a pause. */
export const UNAVAILABLE = 'UNAVAILABLE';
