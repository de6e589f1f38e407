/** Writing REST answers: JSON bodies with Kubernetes' headers, warnings as `Warning: 299` headers, errors as Status objects. */
import type { ServerResponse } from 'node:http';
import { createLogger } from '../../logging/logger.js';
import { errorAnswer, type ErrorSubject } from './status.js';

const log = createLogger('api');

/**
 * Kubeql's "unknown field" means a field it keeps but does not act on (a real manifest's
 * livenessProbe as much as a typo), not Kubernetes' "not in the schema": said so to kubectl users.
 */
function kubectlWording(text: string): string {
  const m = text.match(/^unknown field "(.*)"$/);
  return m ? `unknown field "${m[1]}" (Kubeql keeps it as given but does not act on it)` : text;
}

/** A warning as Kubernetes sends it: `299 - "text"`, the text quoted and without control characters. */
function warningHeader(text: string): string {
  text = kubectlWording(text);
  const clean = text.replace(/[\u0000-\u001f\u007f"\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : ' ')).slice(0, 1024);
  return `299 - "${clean}"`;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, options: { contentType?: string; headers?: Record<string, string>; warnings?: string[] } = {}): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'content-type': options.contentType ?? 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-cache, private',
    'x-content-type-options': 'nosniff',
    ...options.headers,
  };
  const warnings = [...new Set(options.warnings ?? [])].slice(0, 50);
  if (warnings.length) headers.warning = warnings.map(warningHeader);
  res.writeHead(code, headers);
  res.end(text);
}

/** The Status reason an answer carried (for metrics). */
const reasons = new WeakMap<ServerResponse, string>();
export const reasonOf = (res: ServerResponse): string | undefined => reasons.get(res);

export function sendError(res: ServerResponse, error: unknown, subject?: ErrorSubject): void {
  const answer = errorAnswer(error, subject);
  reasons.set(res, answer.status.reason ?? 'InternalError');
  if (answer.internal) log.error({ err: error }, 'internal error in the REST API');
  if (res.headersSent) return void res.destroy();
  sendJson(res, answer.status.code, answer.status, { headers: answer.headers });
}
