/**
 * Errors with a machine-readable code, thrown by every layer (store, resources, api).
 * The API server turns them into GraphQL errors whose `extensions.code` is `code`
 * (DESIGN §4); anything else that escapes a resolver is masked as an internal error.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'INVALID_SELECTOR'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'EXPIRED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'QUOTA_EXCEEDED'
  | 'TOO_COMPLEX'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'SLOW_CONSUMER'
  /** The disk holding the log is full (retryable). */
  | 'STORAGE_FULL'
  /** The log could not be written for another fault of the disk (retryable). */
  | 'UNAVAILABLE';

export class KubeqlError extends Error {
  readonly code: ErrorCode;
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = 'KubeqlError';
    this.code = code;
    this.extensions = { ...extensions, code };
  }
}

/** A BAD_USER_INPUT error naming the offending input as a path (`input.spec.containers[0].name`). */
export function badInput(field: string, message: string): KubeqlError {
  return new KubeqlError('BAD_USER_INPUT', `${field}: ${message}`, { field });
}

/**
 * EXPIRED: `revision` is below the compaction floor, so what was asked of it (a read at it, events
 * after it, a watch from it) is gone. `hint` says what to do instead.
 */
export function expired(revision: number, floor: number, hint?: string, kind?: string): KubeqlError {
  return new KubeqlError('EXPIRED', `revision ${revision} has been compacted${kind ? ` for ${kind}` : ''}: the oldest revision held is ${floor}${hint ? `; ${hint}` : ''}`, { floor });
}
