/**
 * One execution and one serialization per (event payload, authorization scope + document +
 * variables), shared by every watcher that receives that payload with the same key: the selection
 * runs once, its JSON is built once, and each watcher's frame only wraps it with its own
 * subscription id. The key must carry the authorization scope (auth/sharing-scope.ts): what one
 * identity may see never reaches another.
 */
import type { ExecutionResult } from 'graphql';
import type { WatchPayload } from '../watch/transition.js';

const cache = new WeakMap<WatchPayload, Map<string, string | Promise<string>>>();

export function sharedPayloadJson(
  payload: WatchPayload,
  execKey: string,
  execute: () => ExecutionResult | Promise<ExecutionResult>,
): string | Promise<string> {
  let byKey = cache.get(payload);
  if (!byKey) cache.set(payload, (byKey = new Map()));
  const hit = byKey.get(execKey);
  if (hit !== undefined) return hit;
  const result = execute();
  const json = result instanceof Promise ? result.then((r) => JSON.stringify(r)) : JSON.stringify(result);
  byKey.set(execKey, json);
  return json;
}

export function nextFrame(id: string, payloadJson: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`;
}
