/**
 * Plays the node agent for controller tests (DESIGN §7: a client, not a mock): follows pods through
 * the real client informer, binds unbound ones to `nodeName` (bindPod), marks them Running with a
 * pod IP and Ready=True (updatePodStatus) after `readyAfterMs`, and finishes the graceful deletion
 * of its pods (deletePod with gracePeriodSeconds 0) after `terminateAfterMs`.
 */
import { createKubeqlClient } from '../../server/client/client.js';
import { createInformer } from '../../server/client/informer.js';
import type { KObject } from '../../server/resources/kind.js';
import { tokenFor } from './tokens.js';

export interface FakeKubeletOptions {
  namespace?: string;
  /** Bind unbound pods to this node (default `fake-node`); null leaves pods unbound and still makes them ready. */
  nodeName?: string | null;
  readyAfterMs?: number;
  terminateAfterMs?: number;
}

const BIND = `mutation($ns: String!, $n: String!, $node: String!) { bindPod(namespace: $ns, name: $n, nodeName: $node) { metadata { name } } }`;
const STATUS = `mutation($ns: String!, $n: String!, $s: JSON!, $rv: String) { updatePodStatus(namespace: $ns, name: $n, status: $s, resourceVersion: $rv) { metadata { name } } }`;
const DELETE = `mutation($ns: String!, $n: String!) { deletePod(namespace: $ns, name: $n, gracePeriodSeconds: 0) { metadata { name } } }`;

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function isReady(pod: KObject): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function startFakeKubelet(server: string, options: FakeKubeletOptions = {}) {
  const nodeName = options.nodeName === undefined ? 'fake-node' : options.nodeName;
  const readyAfterMs = options.readyAfterMs ?? 50;
  const terminateAfterMs = options.terminateAfterMs ?? 20;
  const client = createKubeqlClient({ server, token: tokenFor(server) });
  const pods = createInformer(client, 'Pod', { namespace: options.namespace });
  /** Pods with an action in flight (by uid): at most one at a time each. */
  const busy = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let nextIp = 1;
  let stopped = false;

  const later = (ms: number, fn: () => Promise<unknown>) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) void fn().catch(() => undefined);
    }, ms);
    timers.add(t);
  };

  /** Runs `action` for `pod` after `ms`, then looks at the pod again (its newer state may need more). */
  function act(pod: KObject, ms: number, action: () => Promise<unknown>): void {
    const uid = pod.metadata.uid;
    if (busy.has(uid)) return;
    busy.add(uid);
    later(ms, () =>
      action()
        .catch(() => undefined)
        .finally(() => {
          busy.delete(uid);
          const now = pods.cache.get(pod.metadata.namespace, pod.metadata.name);
          if (now && now.metadata.uid === uid) handle(now);
        }),
    );
  }

  function handle(pod: KObject): void {
    const ns = pod.metadata.namespace!;
    const n = pod.metadata.name;
    const bound = (pod.spec as { nodeName?: string }).nodeName;
    if (pod.metadata.deletionTimestamp) {
      if (bound) act(pod, terminateAfterMs, () => client.request(DELETE, { ns, n }));
      return;
    }
    if (!bound && nodeName) return act(pod, 0, () => client.request(BIND, { ns, n, node: nodeName }));
    if (isReady(pod)) return;
    act(pod, readyAfterMs, async () => {
      const fresh = pods.cache.get(ns, n) ?? pod;
      const status = { ...(fresh.status ?? {}) } as Record<string, any>;
      const ip = status.podIP ?? `10.200.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;
      const at = rfc3339(Date.now());
      const others = (status.conditions ?? []).filter((c: { type: string }) => !['Ready', 'ContainersReady', 'Initialized'].includes(c.type));
      const conditions = [
        ...others,
        { type: 'Initialized', status: 'True', lastTransitionTime: at },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: at },
        { type: 'Ready', status: 'True', lastTransitionTime: at },
      ];
      await client.request(STATUS, { ns, n, rv: fresh.metadata.resourceVersion, s: { ...status, phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions } });
    });
  }

  const subscription = pods.events$.subscribe((e) => {
    if (e.type !== 'DELETED') handle(e.object);
  });
  pods.start();

  return {
    informer: pods,
    waitForSync: () => pods.waitForSync(),
    async stop(): Promise<void> {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      subscription.unsubscribe();
      pods.stop();
      await client.close();
    },
  };
}
