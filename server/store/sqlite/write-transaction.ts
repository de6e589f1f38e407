/** One job's view of the database inside a group commit: reads see earlier writes; appends assign revisions. */
import { KubeqlError } from '../../errors.js';
import { cloneJson } from '../../resources/clone-json.js';
import { objectDepthError, objectSizeError } from '../../resources/object-bounds.js';
import type { Allocation, KObject } from '../../resources/kind.js';
import { projectEvent } from '../project-event.js';
import type { Statements } from './statements.js';
import { versionKey, type CurrentVersions } from './current-versions.js';
import { toStoredEvent } from './stored-event.js';
import type { AppendInput, StoredEvent, WriteTx } from '../types.js';

export interface RevisionCounter {
  head: number;
  /**
   * The newest event's ts (ms): a new event's is never below it, so the log's times never fall
   * with its revisions (log-time.ts searches them), even when the clock steps back or, on
   * PostgreSQL, servers' clocks differ (the next writer has read the newest event under the lock).
   */
  ts: number;
}

export function createWriteTx(
  st: Statements,
  counter: RevisionCounter,
  allocationsOf: (o: KObject) => Allocation[],
  appended: StoredEvent[],
  versions?: CurrentVersions,
): WriteTx {
  const ts = (counter.ts = Math.max(Date.now(), counter.ts));
  // Objects this job has read or written, so an append does not read its previous state again.
  const current = new Map<string, { object: KObject; revision: number } | null>();

  function load(kind: string, namespace: string, name: string) {
    const key = versionKey(kind, namespace, name);
    if (current.has(key)) return current.get(key) ?? undefined;
    let found = versions?.get(key) ?? null;
    if (!found) {
      const row = st.currentObject.get({ kind, namespace, name });
      found = row ? { object: JSON.parse(row.object) as KObject, revision: row.fromRev } : null;
      if (found) versions?.keep(key, found);
    }
    current.set(key, found);
    return found ?? undefined;
  }

  return {
    ts,
    get nextRevision() {
      return counter.head + 1;
    },
    get: (kind, namespace, name) => {
      const found = load(kind, namespace, name);
      return found ? cloneJson(found.object) : undefined;
    },
    // Appends go to the objects table at once (same connection), so this sees the job's own writes.
    list: (kind, namespace) => st.currentInNamespace.all({ kind, namespace }).map((row) => JSON.parse(row.object) as KObject),
    eventsForRequest: (actor, requestId) => st.eventsForRequest.all({ actor, requestId }).map(toStoredEvent),
    isAllocated: (pool, value) => st.isAllocated.get({ pool, value }) !== undefined,
    append(input: AppendInput): StoredEvent {
      const { object } = input;
      const kind = object.kind;
      const namespace = object.metadata.namespace ?? '';
      const name = object.metadata.name;
      const previous = load(kind, namespace, name);
      const revision = counter.head + 1;
      // Whatever becomes of this append, the kept version may no longer be current.
      versions?.forget(versionKey(kind, namespace, name));
      object.metadata.resourceVersion = String(revision);
      // Every write of every verb comes here: the one place an object's depth and size are bounded.
      const deep = objectDepthError(object);
      if (deep) throw new KubeqlError(deep.code, deep.message, deep.extensions);
      const json = JSON.stringify(object);
      const big = objectSizeError(object, json);
      if (big) throw new KubeqlError(big.code, big.message, big.extensions);
      const event: StoredEvent = {
        revision,
        ts,
        actor: input.actor,
        verb: input.verb,
        type: input.type,
        kind,
        namespace,
        name,
        uid: object.metadata.uid,
        prevRevision: previous?.revision ?? null,
        object,
        requestId: input.requestId ?? null,
        bytes: json.length,
      };
      st.insertEvent.run({ ...event, object: json });
      projectEvent(st, { revision, type: input.type, kind, namespace, name, uid: event.uid, object, json }, previous?.object, allocationsOf);
      counter.head = revision;
      appended.push(event);
      current.set(versionKey(kind, namespace, name), input.type === 'DELETED' ? null : { object, revision });
      return event;
    },
  };
}
