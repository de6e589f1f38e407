import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

describe('optimistic concurrency and the log', () => {
  it('16 clients updating one object from the same resourceVersion: exactly one wins, the rest get CONFLICT', async () => {
    const created = await api.ok(CREATE_POD, { i: POD('contended') });
    const rv = created.createPod.metadata.resourceVersion;
    const headBefore = (await api.ok('{ revision }')).revision;
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        api.gql(`mutation($rv: String) { patchPod(namespace: "default", name: "contended", patch: { metadata: { labels: { winner: "c${i}" } } }, resourceVersion: $rv) { metadata { resourceVersion labels } } }`, { rv }),
      ),
    );
    const winners = results.filter((r) => r.data?.patchPod);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(15);
    for (const l of losers) expect(l.errors![0].extensions?.code).toBe('CONFLICT');
    // Exactly one event was appended, and the object is the winner's.
    expect((await api.ok('{ revision }')).revision).toBe(headBefore + 1);
    const pod = (await api.ok('{ pod(namespace: "default", name: "contended") { metadata { labels resourceVersion } } }')).pod;
    expect(pod.metadata.labels).toEqual(winners[0].data.patchPod.metadata.labels);
    expect(pod.metadata.resourceVersion).toBe(String(headBefore + 1));
  });

  it('50 concurrent creators: revisions are contiguous and each object carries the revision of its last event', async () => {
    const db = api.db();
    const before = (db.prepare('SELECT max(revision) AS r FROM events').get() as { r: number }).r;
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => api.ok(CREATE_POD, { i: POD(`racer-${i}`, { labels: { batch: 'racers' } }) })));
    const rows = db.prepare('SELECT revision, name, object FROM events WHERE revision > ? ORDER BY revision').all(before) as Array<{ revision: number; name: string; object: string }>;
    expect(rows).toHaveLength(50);
    rows.forEach((row, i) => expect(row.revision).toBe(before + 1 + i));
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const c of created) {
      const row = byName.get(c.createPod.metadata.name)!;
      expect(c.createPod.metadata.resourceVersion).toBe(String(row.revision));
      expect(JSON.parse(row.object).metadata.resourceVersion).toBe(String(row.revision));
    }
    // The projection agrees with the log: each current row's from_rev is the object's last event.
    const current = db.prepare(`SELECT o.name, o.from_rev, (SELECT max(revision) FROM events e WHERE e.kind = o.kind AND e.namespace = o.namespace AND e.name = o.name) AS last FROM objects o WHERE o.to_rev IS NULL AND o.name LIKE 'racer-%'`).all() as Array<{ from_rev: number; last: number }>;
    expect(current).toHaveLength(50);
    for (const r of current) expect(r.from_rev).toBe(r.last);
  });

  it('a requestId seen before returns the first result and appends nothing', async () => {
    const first = await api.ok(CREATE_POD, { i: POD('idempotent'), r: 'req-1' });
    const head = (await api.ok('{ revision }')).revision;
    const again = await api.ok(CREATE_POD, { i: POD('idempotent'), r: 'req-1' });
    expect(again.createPod).toEqual(first.createPod);
    expect((await api.ok('{ revision }')).revision).toBe(head);
    // Concurrent retries of a new request id: one create, one result.
    const retries = await Promise.all(Array.from({ length: 5 }, () => api.gql(CREATE_POD, { i: POD('idempotent-2'), r: 'req-2' })));
    const uids = new Set(retries.map((r) => r.data?.createPod.metadata.uid));
    expect(uids.size).toBe(1);
    expect((await api.ok('{ revision }')).revision).toBe(head + 1);
    const sameIdOtherKind = await api.gql('mutation { createService(input: { metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } }, requestId: "req-1") { metadata { name } } }');
    expect(sameIdOtherKind.errors?.[0].extensions?.code).toBe('CONFLICT');
  });
});
