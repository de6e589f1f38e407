/**
 * Selectors have one meaning: a list (evaluated in SQLite) and a watch (evaluated in memory on each
 * event) select the same objects, for generated label and field selectors over generated pods.
 * Values around int64's limits, leading zeros and non-numbers meet `>` and `<`; the pods' field
 * values include Kubernetes' derived ones (spec.hostNetwork's default, status.podIP from podIPs[0]).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { collect, wsClient } from '../support/watch-client.js';

let api: TestApi;
let before = 0;
const POD_COUNT = 40;

const KEYS = ['a', 'b', 'n'];
const VALUES = ['5', '6', '007', '0', '10', 'x', 'x5', '99999999999999999999', '9223372036854775807', '9223372036854775808', '1e3', 'v.1'];
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

const head = async () => (await api.ok('{ revision }')).revision as number;

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 100 } });
  before = await head();
  const pods = fc.sample(
    fc.record({
      labels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 }),
      hostNetwork: fc.constantFrom(undefined, true, false),
      restartPolicy: fc.constantFrom('Always', 'Never'),
      // podIPs[0] and status.podIP can disagree: Kubernetes selects on podIPs[0].
      status: fc.option(fc.record({ podIP: fc.constantFrom(...IPS), first: fc.constantFrom(...IPS) }), { nil: undefined }),
    }),
    { numRuns: POD_COUNT, seed: 16 },
  );
  for (const [i, p] of pods.entries()) {
    const spec: Record<string, unknown> = { restartPolicy: p.restartPolicy, containers: [{ name: 'c', image: 'i' }] };
    if (p.hostNetwork !== undefined) spec.hostNetwork = p.hostNetwork;
    await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: { metadata: { name: `p${i}`, labels: p.labels }, spec } });
    if (p.status)
      await api.ok(`mutation($n: String!, $s: JSON!) { updatePodStatus(namespace: "default", name: $n, status: $s) { metadata { name } } }`, {
        n: `p${i}`,
        s: { phase: 'Running', podIP: p.status.podIP, podIPs: [{ ip: p.status.first }] },
      });
  }
});
afterAll(() => api.close());

const value = fc.constantFrom(...VALUES, '4', '99999999999999999998', '9223372036854775806');
const labelTerm = fc.oneof(
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('=', '==', '!='), value).map(([k, op, v]) => `${k}${op}${v}`),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('in', 'notin'), fc.uniqueArray(value, { minLength: 1, maxLength: 3 })).map(([k, op, vs]) => `${k} ${op} (${vs.join(',')})`),
  fc.constantFrom(...KEYS),
  fc.constantFrom(...KEYS).map((k) => `!${k}`),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('>', '<'), fc.constantFrom('5', '0', '6', '99999999999999999998', '9223372036854775806', '007')).map(([k, op, v]) => `${k}${op}${v}`),
);
const fieldTerm = fc.oneof(
  fc.tuple(fc.constantFrom('==', '!='), fc.constantFrom('true', 'false')).map(([op, v]) => `spec.hostNetwork${op}${v}`),
  fc.tuple(fc.constantFrom('=', '!='), fc.constantFrom(...IPS, '')).map(([op, v]) => `status.podIP${op}${v}`),
  fc.tuple(fc.constantFrom('=', '!='), fc.constantFrom('Always', 'Never')).map(([op, v]) => `spec.restartPolicy${op}${v}`),
  fc.tuple(fc.constantFrom('=', '!='), fc.constantFrom('Running', 'Pending')).map(([op, v]) => `status.phase${op}${v}`),
);
const selectors = fc.record({
  ls: fc.uniqueArray(labelTerm, { maxLength: 3, selector: (t) => t.replace(/[^a-z].*$/, '') }).map((ts) => ts.join(',')),
  fs: fc.array(fieldTerm, { maxLength: 2 }).map((ts) => ts.join(',')),
});

/** Names the list answers (SQLite's evaluation). */
async function listed(ls: string, fs: string): Promise<string[]> {
  const res = await api.ok(`query($ls: String, $fs: String) { pods(namespace: "default", labelSelector: $ls, fieldSelector: $fs, first: 1000) { edges { node { metadata { name } } } } }`, { ls, fs });
  return res.pods.edges.map((e: { node: { metadata: { name: string } } }) => e.node.metadata.name).sort();
}

/** Names a watch from before the pods existed ends up holding (the in-memory evaluation of every event). */
async function watched(ls: string, fs: string): Promise<string[]> {
  const client = wsClient(api.server.url);
  const w = collect(client, { kind: 'Pod', ns: 'default', ls, fs, from: before });
  try {
    // Move the head past the pods so a BOOKMARK at or beyond it says the watch has caught up.
    const nudge = await api.ok(`mutation($v: String!) { patchNamespace(name: "kube-public-nudge", patch: { metadata: { labels: { v: $v } } }) { metadata { resourceVersion } } }`, { v: String(Date.now()) });
    const caughtUp = Number(nudge.patchNamespace.metadata.resourceVersion);
    await w.until((events) => events.some((e) => e.type === 'BOOKMARK' && e.revision >= caughtUp));
  } finally {
    w.stop();
    await client.dispose();
  }
  const held = new Set<string>();
  for (const e of w.events) {
    if (e.type === 'ADDED' || e.type === 'MODIFIED') held.add(e.name!);
    if (e.type === 'DELETED') held.delete(e.name!);
  }
  return [...held].sort();
}

describe('list versus watch', () => {
  beforeAll(async () => {
    await api.ok(`mutation { createNamespace(input: { metadata: { name: "kube-public-nudge" } }) { metadata { name } } }`);
  });

  it('n=99999999999999999999 with n>5: neither listed nor watched (not an int64, as Kubernetes parses it)', async () => {
    await api.ok(`mutation { createPod(input: { metadata: { name: "huge-n", namespace: "kube-public-nudge", labels: { n: "99999999999999999999" } }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`);
    const res = await api.ok(`{ pods(namespace: "kube-public-nudge", labelSelector: "n>5") { edges { node { metadata { name } } } } }`);
    expect(res.pods.edges).toEqual([]);
  });

  it('generated selectors over generated pods: the same names either way', async () => {
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(selectors, async ({ ls, fs }) => {
        const list = await listed(ls, fs);
        if (list.length > 0 && list.length < POD_COUNT) nonEmpty++;
        expect(await watched(ls, fs), `labelSelector ${JSON.stringify(ls)} fieldSelector ${JSON.stringify(fs)}`).toEqual(list);
      }),
      { numRuns: 40, seed: 1616 },
    );
    // The property is not vacuous: most selectors split the pods.
    expect(nonEmpty).toBeGreaterThan(10);
  }, 120_000);
});
