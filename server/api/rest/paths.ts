/**
 * The REST API's paths, as Kubernetes lays them out: `/api/v1/...` for the core group and
 * `/apis/<group>/<version>/...` for the others; then `[namespaces/<ns>/]<resource>[/<name>[/<sub>]]`.
 * A path is bounded in length and segments; segments are percent-decoded and must be names.
 */
import { findResource, type ApiResource } from './api-resources.js';
import { RestError, badRequest } from './status.js';

export const MAX_PATH = 2048;

export type Route =
  | { type: 'version' }
  | { type: 'api' }
  | { type: 'apis' }
  | { type: 'group'; group: string }
  | { type: 'groupVersion'; group: string; version: string }
  | { type: 'openapi'; rest: string[] }
  | { type: 'resource'; group: string; version: string; resource: ApiResource; namespace?: string; name?: string; subresource?: string };

const notFound = (path: string) => new RestError(404, 'NotFound', `the server could not find the requested resource (${path.slice(0, 200)})`);

/** A path segment: a name a Kubernetes object may have (a DNS subdomain's characters), bounded. */
function segment(raw: string, path: string): string {
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    throw badRequest(`the path ${JSON.stringify(path.slice(0, 200))} is not valid percent-encoding`);
  }
  if (text === '' || text.length > 253 || text === '.' || text === '..' || /[/\\\u0000-\u001f\u007f%]/.test(text)) throw notFound(path);
  return text;
}

/** The route of a path under /version, /api, /apis or /openapi; undefined for other paths (the next handler's). */
export function parsePath(path: string): Route | undefined {
  const top = path.split('/')[1];
  if (top !== 'version' && top !== 'api' && top !== 'apis' && top !== 'openapi') return undefined;
  if (path.length > MAX_PATH) throw new RestError(414, 'RequestURITooLong', `the path is longer than ${MAX_PATH} characters`);
  const raw = path.split('/').slice(1);
  if (raw.at(-1) === '' && raw.length > 1) raw.pop(); // a trailing slash
  if (raw.length > 9) throw notFound(path);
  if (top === 'openapi') return { type: 'openapi', rest: raw.slice(1).map((s) => segment(s, path)) };
  const parts = raw.map((s) => segment(s, path));
  if (top === 'version') {
    if (parts.length !== 1) throw notFound(path);
    return { type: 'version' };
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (top === 'api') {
    if (parts.length === 1) return { type: 'api' };
    [group, version, rest] = ['', parts[1], parts.slice(2)];
  } else {
    if (parts.length === 1) return { type: 'apis' };
    if (parts.length === 2) return { type: 'group', group: parts[1] };
    [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  }
  if (rest.length === 0) return { type: 'groupVersion', group, version };
  let namespace: string | undefined;
  // namespaces/<ns>/<resource>/...: a namespaced resource; namespaces/<name>[/<sub>] is the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && findResource(group, version, rest[2])?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) throw notFound(path);
  const resource = findResource(group, version, rest[0]);
  if (!resource) throw notFound(path);
  return { type: 'resource', group, version, resource, namespace, name: rest[1], subresource: rest[2] };
}
