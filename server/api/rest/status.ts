/**
 * Kubernetes `Status` objects (meta/v1): the body of every error answer of the REST API, with the
 * reason and HTTP code Kubernetes gives it, mapped from our error codes. Errors of the REST layer's
 * own (a bad query parameter, an unsupported media type) are RestErrors carrying their reason.
 */
import { KubeqlError } from '../../errors.js';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error answered as a Status, with Kubernetes' reason and code. */
export class RestError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export const badRequest = (message: string) => new RestError(400, 'BadRequest', message);

/** What a request is about, so an error can name it in its details (`pods "web" not found`). */
export interface ErrorSubject {
  /** The resource plural (`pods`) and its group. */
  resource?: string;
  group?: string;
  kind?: string;
  name?: string;
}

export function status(code: number, reason: string, message: string, details?: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export interface ErrorAnswer {
  status: Status;
  headers: Record<string, string>;
  /** Not a client's mistake: log it. */
  internal: boolean;
}

const REASONS: Record<string, [number, string]> = {
  INVALID_SELECTOR: [400, 'BadRequest'],
  NOT_FOUND: [404, 'NotFound'],
  ALREADY_EXISTS: [409, 'AlreadyExists'],
  CONFLICT: [409, 'Conflict'],
  EXPIRED: [410, 'Expired'],
  UNAUTHENTICATED: [401, 'Unauthorized'],
  FORBIDDEN: [403, 'Forbidden'],
  QUOTA_EXCEEDED: [403, 'Forbidden'],
  TOO_COMPLEX: [400, 'BadRequest'],
  PAYLOAD_TOO_LARGE: [413, 'RequestEntityTooLarge'],
  RATE_LIMITED: [429, 'TooManyRequests'],
  SLOW_CONSUMER: [504, 'Timeout'],
  // The log cannot be reached now (its database down or locked): not this server, not now.
  UNAVAILABLE: [503, 'ServiceUnavailable'],
};

/** The field paths of a BAD_USER_INPUT error, as Status causes. */
function causesOf(error: KubeqlError): StatusCause[] {
  const listed = error.extensions.errors as Array<{ field: string; message: string }> | undefined;
  if (listed?.length) return listed.map((e) => ({ reason: 'FieldValueInvalid', message: e.message, field: e.field }));
  const field = typeof error.extensions.field === 'string' ? error.extensions.field : undefined;
  const message = field && error.message.startsWith(`${field}: `) ? error.message.slice(field.length + 2) : error.message;
  return [{ reason: 'FieldValueInvalid', message, ...(field ? { field } : {}) }];
}

/** Names the resource as Kubernetes does in its messages, with its group (`deployments.apps "web" not found`). */
function qualified(message: string, subject: ErrorSubject): string {
  if (!subject.resource || !subject.group) return message;
  const full = `${subject.resource}.${subject.group}`;
  if (message.startsWith(`${subject.resource} "`)) return full + message.slice(subject.resource.length);
  if (subject.kind) return message.replace(`Operation cannot be fulfilled on ${subject.kind} "`, `Operation cannot be fulfilled on ${full} "`);
  return message;
}

export function errorAnswer(error: unknown, subject: ErrorSubject = {}): ErrorAnswer {
  const details = (extra: StatusDetails = {}): StatusDetails | undefined => {
    const d: StatusDetails = { ...(subject.name ? { name: subject.name } : {}), ...(subject.group ? { group: subject.group } : {}), ...(subject.resource ? { kind: subject.resource } : {}), ...extra };
    return Object.keys(d).length ? d : undefined;
  };
  if (error instanceof RestError) return { status: status(error.code, error.reason, error.message, error.details ?? details()), headers: error.headers, internal: false };
  if (error instanceof KubeqlError) {
    if (error.code === 'BAD_USER_INPUT') {
      const what = subject.kind && subject.name ? `${subject.kind} "${subject.name}" is invalid: ` : '';
      return { status: status(422, 'Invalid', `${what}${error.message}`, details({ causes: causesOf(error) })), headers: {}, internal: false };
    }
    const [code, reason] = REASONS[error.code] ?? [500, 'InternalError'];
    const message = qualified(error.message, subject);
    const headers: Record<string, string> = {};
    const http = error.extensions.http as { headers?: Record<string, string> } | undefined;
    Object.assign(headers, http?.headers ?? {});
    const retry = headers['Retry-After'];
    return {
      status: status(code, reason, message, details(retry ? { retryAfterSeconds: Number(retry) } : {})),
      headers,
      internal: false,
    };
  }
  return { status: status(500, 'InternalError', 'an internal error occurred; the server logged it'), headers: {}, internal: true };
}
