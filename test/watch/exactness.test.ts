/**
 * Watch exactness under load: 20 concurrent writers (Pods and Services in three namespaces:
 * creates, relabels, binds, phase changes, graceful and final deletes) and 10 watchers with
 * different selections, all from the head before the writers start. Each watcher's stream must
 * equal what the log says it should be, computed here independently from the events table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { expectedStream, firstDifference, orderProblem, readLog, type WatchSpec } from '../support/watch-log.js';
import { record, trackedClient } from '../support/watch-recorder.js';
import { startWriters } from '../support/watch-writers.js';

const NAMESPACES = ['ns-a', 'ns-b', 'ns-c'];
const NODES = ['node-1', 'node-2', 'node-3'];
const label = (o: any, key: string): string | undefined => o.metadata.labels?.[key];
const nodeName = (o: any): string | undefined => o.spec?.nodeName;
const phase = (o: any): string | undefined => o.status?.phase;

const WATCHES: Array<WatchSpec & { name: string }> = [
  { name: 'all pods', kind: 'Pod', matches: () => true },
  { name: 'pods in ns-a', kind: 'Pod', namespace: 'ns-a', matches: () => true },
  { name: 'gold pods in ns-b', kind: 'Pod', namespace: 'ns-b', labelSelector: 'tier=gold', matches: (o) => label(o, 'tier') === 'gold' },
  {
    name: 'web/db pods not bronze',
    kind: 'Pod',
    labelSelector: 'app in (web,db),tier!=bronze',
    matches: (o) => ['web', 'db'].includes(label(o, 'app') ?? '') && label(o, 'tier') !== 'bronze',
  },
  { name: 'pods on node-1', kind: 'Pod', fieldSelector: 'spec.nodeName=node-1', matches: (o) => nodeName(o) === 'node-1' },
  {
    name: 'labelled app pods on node-2 in ns-a',
    kind: 'Pod',
    namespace: 'ns-a',
    labelSelector: 'app',
    fieldSelector: 'spec.nodeName=node-2',
    matches: (o) => nodeName(o) === 'node-2' && label(o, 'app') !== undefined,
  },
  {
    name: 'running pods outside ns-a',
    kind: 'Pod',
    fieldSelector: 'status.phase=Running,metadata.namespace!=ns-a',
    matches: (o) => phase(o) === 'Running' && o.metadata.namespace !== 'ns-a',
  },
  {
    name: 'running non-bronze pods on node-3',
    kind: 'Pod',
    labelSelector: 'tier notin (bronze)',
    fieldSelector: 'spec.nodeName=node-3,status.phase=Running',
    matches: (o) => nodeName(o) === 'node-3' && phase(o) === 'Running' && label(o, 'tier') !== 'bronze',
  },
  { name: 'all services', kind: 'Service', matches: () => true },
  {
    name: 'gold/silver services in ns-c',
    kind: 'Service',
    namespace: 'ns-c',
    labelSelector: 'tier in (gold,silver)',
    matches: (o) => ['gold', 'silver'].includes(label(o, 'tier') ?? ''),
  },
];

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  for (const name of NAMESPACES) await api.ok(`mutation($i: NamespaceInput!) { createNamespace(input: $i) { metadata { name } } }`, { i: { metadata: { name } } });
});
afterAll(() => api.close());

describe('watch exactness', () => {
  it('10 watchers under 20 concurrent writers each receive exactly their filtered log, in order, without duplicates', async () => {
    const from = (await api.ok('{ revision }')).revision as number;
    // Three connections; the watchers are spread over them.
    const clients = Array.from({ length: 3 }, () => trackedClient(api.server.url));
    const recordings = WATCHES.map((spec, i) =>
      record(clients[i % clients.length].client, {
        kind: spec.kind,
        ns: spec.namespace,
        ls: spec.labelSelector,
        fs: spec.fieldSelector,
        from,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // most of them live before the first write

    const writers = startWriters(api.gql, { writers: 20, opsPerWriter: 150, namespaces: NAMESPACES, nodes: NODES, seed: 7 });
    const mutations = await writers.done;
    const head = api.server.store.head();
    expect(mutations).toBe(3000);
    expect(head - from).toBeGreaterThan(2000); // a no-op patch appends nothing; the rest one event each

    // Each watcher reaches the head (an event or a BOOKMARK at it).
    await Promise.all(recordings.map((r) => r.reached(head, 20_000)));

    const log = readLog(api.db());
    const kinds = new Set(log.filter((r) => r.revision > from).map((r) => `${r.kind} ${r.type}`));
    // The workload exercised every kind of event the rules distinguish.
    expect([...kinds].sort()).toEqual(['Pod ADDED', 'Pod DELETED', 'Pod MODIFIED', 'Service ADDED', 'Service DELETED', 'Service MODIFIED']);

    const transitions = { ADDED: 0, MODIFIED: 0, DELETED: 0, deletedByTransition: 0 };
    WATCHES.forEach((spec, i) => {
      const got = recordings[i].events;
      expect(recordings[i].errors, spec.name).toEqual([]);
      expect(orderProblem(got), `${spec.name}: revisions must strictly increase (bookmarks included)`).toBeUndefined();
      const expected = expectedStream(log, spec, from, head);
      expect(expected.length, `${spec.name} should see some events`).toBeGreaterThan(10);
      expect(firstDifference(recordings[i].changes(), expected), spec.name).toBeUndefined();
      for (const e of expected) {
        transitions[e.type as 'ADDED']++;
        const row = log.find((r) => r.revision === e.revision)!;
        if (e.type === 'DELETED' && row.type === 'MODIFIED') transitions.deletedByTransition++;
      }
    });
    // Selector transitions happened (so the rules for them were checked, not just plain events).
    expect(transitions.deletedByTransition).toBeGreaterThan(50);

    for (const r of recordings) r.stop();
    await Promise.all(clients.map((c) => c.client.dispose()));
  }, 120_000);
});

describe('watch exactness when catching up from the log', () => {
  let small: TestApi;
  beforeAll(async () => {
    // A window of 50 events: watchers that start after the writes read their whole stream from the log.
    // A node watch reads the log 37 revisions at a time: many spans, most without its pods.
    small = await startTestApi({ watch: { bookmarkIntervalMs: 200, windowSize: 50, nodeScanRevisions: 37 } });
    for (const name of NAMESPACES) await small.ok(`mutation($i: NamespaceInput!) { createNamespace(input: $i) { metadata { name } } }`, { i: { metadata: { name } } });
  });
  afterAll(() => small.close());

  it('10 watchers started after the writes, from before them, each receive exactly their filtered log', async () => {
    const from = (await small.ok('{ revision }')).revision as number;
    const writers = startWriters(small.gql, { writers: 10, opsPerWriter: 100, namespaces: NAMESPACES, nodes: NODES, seed: 11 });
    expect(await writers.done).toBe(1000);
    const head = small.server.store.head();
    expect(head - from).toBeGreaterThan(500);

    const clients = Array.from({ length: 3 }, () => trackedClient(small.server.url));
    const recordings = WATCHES.map((spec, i) => record(clients[i % clients.length].client, { kind: spec.kind, ns: spec.namespace, ls: spec.labelSelector, fs: spec.fieldSelector, from }));
    await Promise.all(recordings.map((r) => r.reached(head, 20_000)));
    const log = readLog(small.db());
    WATCHES.forEach((spec, i) => {
      expect(recordings[i].errors, spec.name).toEqual([]);
      expect(orderProblem(recordings[i].events), spec.name).toBeUndefined();
      const expected = expectedStream(log, spec, from, head);
      expect(expected.length, `${spec.name} should see some events`).toBeGreaterThan(5);
      expect(firstDifference(recordings[i].changes(), expected), spec.name).toBeUndefined();
    });
    for (const r of recordings) r.stop();
    await Promise.all(clients.map((c) => c.client.dispose()));
  }, 120_000);
});
