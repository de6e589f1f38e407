import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { verifyReplay } from '../../server/store/sqlite/verify-replay.js';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { stopAllComponents } from '../support/processes.js';
import { downloadBackup, runCommand } from './cli.js';

const REPLAY = `mutation($v: Boolean) { replay(verify: $v) { revision floor events digest liveDigest match tables { table rows sha256 }
  firstDifference { table kind namespace name revision message } durationMs } }`;

let api: TestApi;
const scratch: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubeql-replay-test-'));
  scratch.push(d);
  return d;
};

/** A varied history: namespaces, labelled pods (updated, deleted, re-created), services with ClusterIPs, nodes with pod CIDRs. */
async function writeHistory(prefix: string) {
  await api.ok(`mutation($n: String!) { createNamespace(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: prefix });
  for (let i = 0; i < 8; i++) await api.ok(CREATE_POD, { i: POD(`p${i}`, { namespace: prefix, labels: { app: 'web', i: String(i) } }) });
  for (let i = 0; i < 3; i++)
    await api.ok(`mutation($i: ServiceInput!) { createService(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: `s${i}`, namespace: prefix }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
  for (let i = 0; i < 2; i++) await api.ok(`mutation($n: String!) { createNode(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: `${prefix}-node-${i}` });
  for (let i = 0; i < 8; i += 2) await api.ok(`mutation($ns: String!, $n: String!) { patchPod(namespace: $ns, name: $n, patch: { metadata: { labels: { i: null, tier: "gold" } } }) { metadata { name } } }`, { ns: prefix, n: `p${i}` });
  await api.ok(`mutation($ns: String!) { deletePod(namespace: $ns, name: "p1") { metadata { name } } }`, { ns: prefix });
  await api.ok(`mutation($ns: String!) { deleteService(namespace: $ns, name: "s1") { metadata { name } } }`, { ns: prefix });
  await api.ok(`mutation($n: String!) { deleteNode(name: $n) { metadata { name } } }`, { n: `${prefix}-node-0` });
  await api.ok(CREATE_POD, { i: POD('p1', { namespace: prefix, labels: { app: 'web', again: 'yes' } }) });
}

beforeAll(async () => {
  api = await startTestApi();
  await writeHistory('r1');
});
afterAll(async () => {
  await stopAllComponents();
  await api.close();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('replay', () => {
  it('rebuilds projections equal to the live ones, with the same digest every time, online and from the command line', async () => {
    const before = snapshotTables(api.db());
    const a = (await api.ok(REPLAY, { v: true })).replay;
    expect(a.match).toBe(true);
    expect(a.digest).toBe(a.liveDigest);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(a.revision).toBe((await api.ok('{ revision }')).revision);
    expect(a.firstDifference).toBeNull();
    expect(Object.fromEntries(a.tables.map((t: any) => [t.table, t.rows]))).toEqual({
      objects: (api.db().prepare('SELECT count(*) FROM objects').pluck().get() as number),
      labels: (api.db().prepare('SELECT count(*) FROM labels').pluck().get() as number),
      allocations: (api.db().prepare('SELECT count(*) FROM allocations').pluck().get() as number),
    });
    expect(a.tables.find((t: any) => t.table === 'allocations').rows).toBeGreaterThanOrEqual(3);
    // The same log replays to the same digest.
    expect((await api.ok(REPLAY, { v: true })).replay.digest).toBe(a.digest);

    // `npm run replay -- --verify` with the server running reads one snapshot and agrees.
    const cli = await runCommand('store/replay-main.ts', ['--verify'], { DATA_DIR: api.dataDir });
    expect(cli.code, cli.output).toBe(0);
    expect(cli.output).toContain(`replayed digest ${a.digest}`);
    expect(cli.output).toContain(`live digest     ${a.digest}`);
    // Verifying writes nothing.
    expect(snapshotTables(api.db())).toBe(before);
    // Nor does replay(verify: false) when the tables already equal the replay.
    expect((await api.ok(REPLAY, { v: false })).replay.match).toBe(true);
    expect(snapshotTables(api.db())).toBe(before);
  });

  it('equals the live tables after compaction: replay = the snapshot at the floor + the events after it', async () => {
    await writeHistory('r2');
    const head = (await api.ok('{ revision }')).revision;
    api.server.store.compact(head - 15);
    await api.ok(`mutation { patchPod(namespace: "r2", name: "p3", patch: { metadata: { labels: { after: "compaction" } } }) { metadata { name } } }`);
    const r = (await api.ok(REPLAY, { v: true })).replay;
    expect(r).toMatchObject({ match: true, floor: head - 15, events: 16 });
    expect(r.digest).toBe(r.liveDigest);
    const cli = await runCommand('store/replay-main.ts', ['--verify'], { DATA_DIR: api.dataDir });
    expect(cli.code, cli.output).toBe(0);
  });

  it('names the first object that differs when a projection row was tampered with (in a copy), and rebuilds it in place', async () => {
    const dir = tempDir();
    await downloadBackup(api.server.url, api.token, join(dir, 'kubeql.db'));
    const copy = new Database(join(dir, 'kubeql.db'));
    // A version written after the floor (rows alive at the floor are the snapshot replay starts from).
    // The version's body as readers see it (its row's, or while its event is in the log, the event's), changed in its row.
    const tampered = copy
      .prepare(
        `UPDATE objects SET object = json_set(coalesce(object, (SELECT e.object FROM events e WHERE e.revision = objects.from_rev)), '$.spec.nodeName', 'elsewhere') WHERE kind = 'Pod' AND namespace = 'r2' AND name = 'p3' AND to_rev IS NULL`,
      )
      .run();
    expect(tampered.changes).toBe(1);
    const fromRev = copy.prepare(`SELECT from_rev FROM objects WHERE kind = 'Pod' AND namespace = 'r2' AND name = 'p3' AND to_rev IS NULL`).pluck().get() as number;
    expect(fromRev).toBeGreaterThan(api.server.store.floor());
    copy.close();
    const report = await verifyReplay(join(dir, 'kubeql.db'), registryAllocations);
    expect(report.match).toBe(false);
    expect(report.firstDifference).toMatchObject({ table: 'objects', kind: 'Pod', namespace: 'r2', name: 'p3', revision: fromRev });
    expect(JSON.parse(report.firstDifference!.actual!.object as string).spec.nodeName).toBe('elsewhere');

    const cli = await runCommand('store/replay-main.ts', ['--verify'], { DATA_DIR: dir });
    expect(cli.code).toBe(1);
    expect(cli.output).toContain(`first difference: objects: Pod r2/p3 (version from revision ${fromRev}) differs`);

    // Offline, without --verify: the tables are rebuilt from the log, after which they verify.
    const rebuild = await runCommand('store/replay-main.ts', [], { DATA_DIR: dir });
    expect(rebuild.code, rebuild.output).toBe(0);
    expect(rebuild.output).toContain('rebuilt');
    expect((await runCommand('store/replay-main.ts', ['--verify'], { DATA_DIR: dir })).code).toBe(0);
    // The rebuilt row holds no body of its own again: its event in the log does (each version stored once).
    const rebuilt = new Database(join(dir, 'kubeql.db'), { readonly: true });
    try {
      expect(rebuilt.prepare(`SELECT count(*) FROM objects o WHERE o.object IS NOT NULL AND EXISTS (SELECT 1 FROM events e WHERE e.revision = o.from_rev)`).pluck().get()).toBe(0);
      expect(rebuilt.prepare(`SELECT count(*) FROM objects WHERE object IS NULL`).pluck().get()).toBeGreaterThan(0);
    } finally {
      rebuilt.close();
    }
  });

  it('names a missing label row and an extra allocation the same way; the live database is never written', async () => {
    const live = snapshotTables(api.db());
    const labelDir = tempDir();
    await downloadBackup(api.server.url, api.token, join(labelDir, 'kubeql.db'));
    const a = new Database(join(labelDir, 'kubeql.db'));
    expect(a.prepare(`DELETE FROM labels WHERE kind = 'Pod' AND namespace = 'r2' AND name = 'p3' AND key = 'after'`).run().changes).toBe(1);
    a.close();
    const missing = await verifyReplay(join(labelDir, 'kubeql.db'), registryAllocations);
    expect(missing.match).toBe(false);
    expect(missing.firstDifference).toMatchObject({ table: 'labels', kind: 'Pod', namespace: 'r2', name: 'p3', actual: null });
    expect(missing.firstDifference!.expected).toMatchObject({ key: 'after', value: 'compaction' });

    const allocDir = tempDir();
    await downloadBackup(api.server.url, api.token, join(allocDir, 'kubeql.db'));
    const b = new Database(join(allocDir, 'kubeql.db'));
    b.prepare(`INSERT INTO allocations (pool, value, kind, namespace, name) VALUES ('clusterIP', '10.96.250.250', 'Service', 'r2', 'ghost')`).run();
    b.close();
    const extra = await verifyReplay(join(allocDir, 'kubeql.db'), registryAllocations);
    expect(extra.firstDifference).toMatchObject({ table: 'allocations', kind: 'Service', namespace: 'r2', name: 'ghost', expected: null });
    expect(snapshotTables(api.db())).toBe(live);
    expect((await api.ok(REPLAY, { v: true })).replay.match).toBe(true);
  });
});
