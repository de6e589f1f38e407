/**
 * A watch of one kind through the `watch` subscription, for `get -w` and `rollout status`: events
 * in revision order; after SLOW_CONSUMER or a dropped socket it resumes from the last revision it
 * saw (a few times in a row at most), so nothing is missed or repeated.
 */
import type { Subscription } from 'rxjs';
import type { KubeqlClient } from '../client/client.js';
import { ClientError, UNAVAILABLE } from '../client/client-error.js';
import { objectClientOf } from '../client/object-client.js';
import type { KObject, KindDef } from '../resources/kind.js';
import type { KindName } from '../resources/objects.js';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  revision: number;
  object: KObject | null;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Exclusive. Without it: ADDED for each current object, a BOOKMARK, then changes. */
  fromRevision?: number;
}

export interface Watch {
  /** Settles when the watch is stopped (resolves) or fails for good (rejects). */
  done: Promise<void>;
  stop(): void;
}

const RETRIES = 5;
const RETRY_MS = 300;

export function watchObjects(client: KubeqlClient, kind: KindDef, options: WatchOptions, onEvent: (e: WatchEvent) => void): Watch {
  let revision = options.fromRevision;
  let current: Subscription | undefined;
  let stopped = false;
  let failures = 0;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const start = () => {
    // Before the first BOOKMARK of a watch without fromRevision, a resumed watch must start over.
    let synced = revision !== undefined;
    current = objectClientOf(client)
      .watch(kind.kind as KindName, { namespace: options.namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, fromRevision: revision })
      .subscribe({
        next: (e) => {
          failures = 0;
          if (e.type === 'BOOKMARK') synced = true;
          if (synced) revision = e.revision;
          onEvent(e);
        },
        error: (e: unknown) => {
          if (stopped) return;
          const code = e instanceof ClientError ? e.code : '';
          if ((code === 'SLOW_CONSUMER' || code === UNAVAILABLE) && failures++ < RETRIES) {
            if (!synced) revision = undefined;
            setTimeout(() => !stopped && start(), RETRY_MS * failures);
          } else settle.reject(e);
        },
        complete: () => settle.resolve(),
      });
  };
  start();
  return {
    done,
    stop() {
      stopped = true;
      current?.unsubscribe();
      settle.resolve();
    },
  };
}
