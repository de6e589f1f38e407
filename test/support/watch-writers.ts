/**
 * Concurrent writers for watch tests, through the public API: each writer owns its objects (Pods
 * and Services in a few namespaces) and creates, relabels, binds (bindPod), sets status.phase
 * (updatePodStatus) and deletes them (gracefully for bound pods, then finally), at random from a seed.
 */
import type { GraphQLResponse } from './api.js';

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse>;

export interface WritersOptions {
  writers: number;
  /** Mutations per writer; without it the writers run until stop(). */
  opsPerWriter?: number;
  namespaces: string[];
  /** Nodes pods are bound to. */
  nodes: string[];
  /** Names are `${prefix}${writer}-${n}` (default 'w'). */
  prefix?: string;
  seed?: number;
  /** Share of creates that make a Service rather than a Pod (default 0.25; 0 for pods only). */
  serviceShare?: number;
  /** Extra bytes carried by every created object (an annotation), to make events heavy. */
  padding?: number;
}

export interface Writers {
  /** Resolves with the number of mutations once every writer is done; rejects on the first failed mutation. */
  done: Promise<number>;
  /** Mutations answered so far. */
  count(): number;
  stop(): void;
}

interface Owned {
  kind: 'Pod' | 'Service';
  namespace: string;
  name: string;
  bound: boolean;
  deleting: boolean;
}

const APPS = ['web', 'db', 'cache'];
const TIERS = ['gold', 'silver', 'bronze'];
const PHASES = ['Pending', 'Running', 'Succeeded', 'Running'];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startWriters(gql: Gql, options: WritersOptions): Writers {
  let stopped = false;
  let answered = 0;
  const prefix = options.prefix ?? 'w';
  const serviceShare = options.serviceShare ?? 0.25;
  const padding = options.padding ? { annotations: { padding: 'x'.repeat(options.padding) } } : {};

  async function call(query: string, variables: Record<string, unknown>): Promise<void> {
    const res = await gql(query, variables);
    if (res.errors?.length) throw new Error(`writer mutation failed: ${JSON.stringify(res.errors)} for ${JSON.stringify(variables).slice(0, 300)}`);
    answered++;
  }

  async function writer(index: number): Promise<void> {
    const random = prng((options.seed ?? 1) * 1000 + index);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const owned: Owned[] = [];
    let serial = 0;
    for (let op = 0; !stopped && (options.opsPerWriter === undefined || op < options.opsPerWriter); op++) {
      if (owned.length < 3 || random() < 0.2) {
        const kind = random() < serviceShare ? 'Service' : 'Pod';
        const o: Owned = { kind, namespace: pick(options.namespaces), name: `${prefix}${index}-${serial++}`, bound: false, deleting: false };
        const metadata = { name: o.name, namespace: o.namespace, labels: { app: pick(APPS), tier: pick(TIERS) }, ...padding };
        if (kind === 'Pod')
          await call(`mutation($i: PodInput!) { createPod(input: $i) { metadata { resourceVersion } } }`, {
            i: { metadata, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
          });
        else
          await call(`mutation($i: ServiceInput!) { createService(input: $i) { metadata { resourceVersion } } }`, {
            i: { metadata, spec: { selector: { app: metadata.labels.app }, ports: [{ port: 80 }] } },
          });
        owned.push(o);
        continue;
      }
      const i = Math.floor(random() * owned.length);
      const o = owned[i];
      const target = { ns: o.namespace, n: o.name };
      const r = random();
      if (r < 0.4) {
        const labels = random() < 0.5 ? { app: pick(APPS) } : { tier: random() < 0.2 ? null : pick(TIERS) };
        await call(`mutation($ns: String!, $n: String!, $p: JSON!) { patch${o.kind}(namespace: $ns, name: $n, patch: $p) { metadata { resourceVersion } } }`, {
          ...target,
          p: { metadata: { labels } },
        });
      } else if (o.kind === 'Pod' && r < 0.65) {
        await call(`mutation($ns: String!, $n: String!, $s: JSON!) { updatePodStatus(namespace: $ns, name: $n, status: $s) { metadata { resourceVersion } } }`, {
          ...target,
          s: { phase: pick(PHASES) },
        });
      } else if (o.kind === 'Pod' && r < 0.85 && !o.bound && !o.deleting) {
        await call(`mutation($ns: String!, $n: String!, $node: String!) { bindPod(namespace: $ns, name: $n, nodeName: $node) { metadata { resourceVersion } } }`, {
          ...target,
          node: pick(options.nodes),
        });
        o.bound = true;
      } else if (r >= 0.85) {
        // A bound pod first gets deletionTimestamp (MODIFIED), then goes with a final delete (grace 0), as its node agent would.
        const graceful = o.kind === 'Pod' && o.bound && !o.deleting;
        await call(
          `mutation($ns: String!, $n: String!, $g: Int) { delete${o.kind}(namespace: $ns, name: $n, gracePeriodSeconds: $g) { metadata { resourceVersion } } }`,
          { ...target, g: graceful || o.kind !== 'Pod' ? null : 0 },
        );
        if (graceful) o.deleting = true;
        else owned.splice(i, 1);
      } else {
        op--; // nothing applicable: draw again
      }
    }
  }

  const done = Promise.all(Array.from({ length: options.writers }, (_, i) => writer(i))).then(() => answered);
  done.catch(() => (stopped = true));
  return { done, count: () => answered, stop: () => void (stopped = true) };
}
