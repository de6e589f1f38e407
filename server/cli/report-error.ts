/** Turns any failure into kubectl's wording for stderr: `Error from server (NotFound): ...`, or `error: ...` with what to fix. */
import { ClientError, UNAVAILABLE } from '../client/client-error.js';
import { CliError } from './cli-error.js';

/** The API's codes (DESIGN §4) as kubectl's status reasons. */
const REASONS: Record<string, string> = {
  BAD_USER_INPUT: 'Invalid',
  INVALID_SELECTOR: 'BadRequest',
  NOT_FOUND: 'NotFound',
  ALREADY_EXISTS: 'AlreadyExists',
  CONFLICT: 'Conflict',
  EXPIRED: 'Expired',
  FORBIDDEN: 'Forbidden',
  QUOTA_EXCEEDED: 'Forbidden',
  TOO_COMPLEX: 'BadRequest',
  PAYLOAD_TOO_LARGE: 'RequestEntityTooLarge',
  RATE_LIMITED: 'TooManyRequests',
  SLOW_CONSUMER: 'Timeout',
};

/** Where the server and token come from, for hints. */
export interface ErrorHints {
  configFile?: string;
  server?: string;
}

export function errorText(e: unknown, hints: ErrorHints = {}): string {
  const config = hints.configFile ?? '~/.kubeql/config';
  if (e instanceof CliError) return e.message ? `error: ${e.message}` : '';
  if (e instanceof ClientError) {
    if (e.code === UNAVAILABLE) {
      const unauthorized = /HTTP 401/.test(e.message);
      if (unauthorized) return unauthenticated(e.message, config);
      return `error: ${e.message}. Is the API server running? Point kq at it with --server, KUBEQL_SERVER or "server" in ${config}.`;
    }
    if (e.code === 'UNAUTHENTICATED') return unauthenticated(e.message, config);
    if (e.code === 'GRAPHQL_VALIDATION_FAILED' || e.code === 'GRAPHQL_PARSE_FAILED')
      return `error: the server at ${hints.server ?? 'the configured address'} does not understand kq's request (${e.message}): is it a Kubeql API server of the same version?`;
    // One line per error (several names not found), each with its own reason.
    return e.errors.map((err) => {
      const code = String(err.extensions?.code ?? e.code);
      return `Error from server (${REASONS[code] ?? code}): ${err.message}`;
    }).join('\n');
  }
  return `error: ${(e as Error)?.message ?? String(e)}`;
}

function unauthenticated(message: string, config: string): string {
  return `error: You must be logged in to the server (Unauthorized): ${message.replace(/\.$/, '')}. Give kq the token with --token, KUBEQL_TOKEN or "token" in ${config}.`;
}
