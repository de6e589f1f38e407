/**
 * Each object version's body is stored once, on both backends: in the event that opened it while
 * that event is in the log (the objects row holds none), in the objects row once compaction took the
 * event. The bytes of bodies the database holds are those of the log's events plus those of the
 * versions that survived compaction, never more; and every read (at the head, at a past revision, at
 * the floor, history, lists) still returns each version whole, and the log still replays to the tables.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { openPostgresStore } from '../../server/store/postgres/create-store.js';
import { createStore } from '../../server/store/sqlite/create-store.js';
import type { Store, StoredEvent } from '../../server/store/types.js';
import { postgresMissing } from '../support/postgres.js';
import { storeFixtures } from '../support/store-fixtures.js';

const fixtures = storeFixtures('once');

/** A store and read-only SQL on the database it keeps (the same statements in both dialects). */
interface Opened {
  store: Store;
  /** The first column of the first row, as a number. */
  number(query: string): Promise<number>;
  rows(query: string): Promise<Array<Record<string, unknown>>>;
}

const backends: Array<{ name: string; skip?: string; open(): Promise<Opened> }> = [
  {
    name: 'sqlite',
    async open() {
      const { store, reader } = fixtures.sqliteStore();
      return {
        store,
        number: async (query) => Number(reader.prepare(query).pluck().get() ?? 0),
        rows: async (query) => reader.prepare(query).all() as Array<Record<string, unknown>>,
      };
    },
  },
  {
    name: 'postgres',
    skip: postgresMissing,
    async open() {
      const url = await fixtures.database();
      const store = await openPostgresStore({ url, allocationsOf: registryAllocations });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      fixtures.closeAfterTest(async () => {
        await client.end();
        await store.shutdown();
      });
      const rows = async (query: string) => {
        // What PostgreSQL holds: the store's own writes and compactions have reached it.
        await store.drain();
        return (await client.query({ text: query })).rows as Array<Record<string, unknown>>;
      };
      return { store, rows, number: async (query) => Number(Object.values((await rows(query))[0] ?? {})[0] ?? 0) };
    },
  },
];

function pod(i: number, step: number): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'default', uid: `uid-p${i}`, labels: { app: 'once', step: String(step) } },
    spec: { nodeName: `node-${i % 3}`, containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: step === 0 ? 'Pending' : 'Running', observed: step },
  } as unknown as KObject;
}

const PODS = 12;
const STEPS = 5;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** The length of the event's object as the log holds it (the store reports it on each append). */
function bytesOf(e: StoredEvent): number {
  if (e.bytes === undefined) throw new Error(`event ${e.revision} came without its size`);
  return e.bytes;
}

/** Creates PODS pods, updates each STEPS times, deletes a third of them; returns every event appended. */
async function churn(store: Store): Promise<StoredEvent[]> {
  const appended: StoredEvent[] = [];
  for (let step = 0; step <= STEPS; step++)
    for (let i = 0; i < PODS; i++)
      appended.push(await store.write((tx) => tx.append({ actor: 'test', verb: step ? 'update' : 'create', type: step ? 'MODIFIED' : 'ADDED', object: pod(i, step) })));
  for (let i = 0; i < PODS; i += 3)
    appended.push(await store.write((tx) => tx.append({ actor: 'test', verb: 'delete', type: 'DELETED', object: tx.get('Pod', 'default', `p${i}`)! })));
  return appended;
}

/** The bytes of bodies each table holds. */
async function bodies(db: Opened): Promise<{ events: number; objects: number }> {
  return {
    events: await db.number('SELECT coalesce(sum(length(object)), 0) AS n FROM events'),
    objects: await db.number('SELECT coalesce(sum(length(object)), 0) AS n FROM objects'),
  };
}

/** The version of each pod alive at `revision` (from what was appended), by name. */
function aliveAt(appended: StoredEvent[], revision: number): Map<string, StoredEvent> {
  const alive = new Map<string, StoredEvent>();
  for (const e of appended) {
    if (e.revision > revision) break;
    if (e.type === 'DELETED') alive.delete(e.name);
    else alive.set(e.name, e);
  }
  return alive;
}

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`an object version stored once (${backend.name})`, () => {
    it('keeps each body in its event only, and every read still returns it whole', async () => {
      const db = await backend.open();
      const appended = await churn(db.store);
      // The objects rows hold no body: each is its opening event's object.
      expect(await db.number('SELECT count(*) AS n FROM objects WHERE object IS NOT NULL')).toBe(0);
      expect(await db.number('SELECT count(*) AS n FROM objects')).toBe(PODS * (STEPS + 1));
      expect(await bodies(db)).toEqual({ events: sum(appended.map(bytesOf)), objects: 0 });
      // Every version, at the head, at each past revision and as history.
      for (const e of appended) {
        if (e.type === 'DELETED') continue;
        expect(db.store.get('Pod', 'default', e.name, e.revision)).toEqual(e.object);
        expect(db.store.getVersion('Pod', 'default', e.name, e.revision)).toEqual(e.object);
      }
      const head = aliveAt(appended, Infinity);
      expect(db.store.list({ kind: 'Pod' }).items).toEqual([...head.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => e.object));
      expect(db.store.getMany('Pod', [{ namespace: 'default', name: 'p1' }])).toEqual([head.get('p1')!.object]);
      expect(db.store.listBy('Pod', 'nodeName', ['node-1']).get('node-1')!.map((p) => p.metadata.name)).toEqual(
        [...head.values()].filter((e) => (e.object.spec as { nodeName: string }).nodeName === 'node-1').map((e) => e.name).sort(),
      );
      const history = db.store.readHistory('Pod', { namespace: 'default', name: 'p2' }, 0, 100);
      expect(history.versions.map((v) => v.previous)).toEqual([undefined, ...appended.filter((e) => e.name === 'p2').slice(0, -1).map((e) => e.object)]);
      expect((await db.store.replay({ verify: true })).match).toBe(true);
    });

    it('compaction copies the surviving versions into their rows before their events go, once each', async () => {
      const db = await backend.open();
      const appended = await churn(db.store);
      // In the middle of the updates: every pod has versions both sides of the floor.
      const floor = appended[PODS * 3 + PODS / 2].revision;
      expect(db.store.compact(floor)).toBe(floor);
      const survivors = aliveAt(appended, floor);
      expect(survivors.size).toBe(PODS);
      // What the database holds: the events above the floor, and the survivors' bodies in their rows.
      const above = appended.filter((e) => e.revision > floor);
      expect(await bodies(db)).toEqual({ events: sum(above.map(bytesOf)), objects: sum([...survivors.values()].map(bytesOf)) });
      const rows = await db.rows(`SELECT name, from_rev, object FROM objects WHERE object IS NOT NULL ORDER BY name`);
      expect(rows.map((r) => [r.name, Number(r.from_rev)])).toEqual([...survivors.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => [e.name, e.revision]));
      for (const r of rows) expect(JSON.parse(r.object as string)).toEqual(survivors.get(r.name as string)!.object);
      // The survivors read at the floor, the versions above it at their revisions.
      expect(db.store.list({ kind: 'Pod', atRevision: floor }).items).toEqual([...survivors.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => e.object));
      for (const e of above) if (e.type !== 'DELETED') expect(db.store.get('Pod', 'default', e.name, e.revision)).toEqual(e.object);
      // History of a survivor: the version before its first event above the floor is the survivor's row.
      const p5 = db.store.readHistory('Pod', { namespace: 'default', name: 'p5' }, 0, 100).versions;
      expect(p5[0].previous).toEqual(survivors.get('p5')!.object);
      // A version that survives a second compaction keeps its body, still once.
      const second = appended[PODS * 5].revision;
      expect(db.store.compact(second)).toBe(second);
      const kept = aliveAt(appended, second);
      expect(await bodies(db)).toEqual({
        events: sum(appended.filter((e) => e.revision > second).map(bytesOf)),
        objects: sum([...kept.values()].map(bytesOf)),
      });
      expect(db.store.list({ kind: 'Pod', atRevision: second }).items).toEqual([...kept.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => e.object));
      const report = await db.store.replay({ verify: true });
      expect(report.match).toBe(true);
      expect(report.floor).toBe(second);
    });

    it("a kind's own compaction keeps its surviving bodies, and the log replays to the tables", async () => {
      const db = await backend.open();
      const appended = await churn(db.store);
      const floor = appended[PODS * 4 + 1].revision;
      expect(db.store.compactKind('Pod', floor)).toBe(floor);
      const survivors = aliveAt(appended, floor);
      expect(await bodies(db)).toEqual({
        events: sum(appended.filter((e) => e.revision > floor).map(bytesOf)),
        objects: sum([...survivors.values()].map(bytesOf)),
      });
      expect(db.store.list({ kind: 'Pod', atRevision: floor }).items).toEqual([...survivors.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => e.object));
      expect((await db.store.replay({ verify: true })).match).toBe(true);
      // Rebuilding in place finds nothing to change and leaves each body where it was.
      const rebuilt = await db.store.replay({ verify: false });
      expect(rebuilt.match).toBe(true);
      expect(await db.number(`SELECT count(*) AS n FROM objects WHERE object IS NOT NULL AND from_rev > ${floor}`)).toBe(0);
    });
  });
}

describe('a database written before versions were stored once', () => {
  it('reads, compacts and replays its rows that hold their body beside their event', async () => {
    const dataDir = fixtures.dataDir();
    const first = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    const appended = await churn(first);
    first.close();
    // The fixture: the rows as earlier versions of the store wrote them, each with its body.
    const fixture = new Database(join(dataDir, 'kubeql.db'));
    fixture.exec('UPDATE objects SET object = (SELECT e.object FROM events e WHERE e.revision = objects.from_rev)');
    expect(fixture.prepare('SELECT count(*) FROM objects WHERE object IS NULL').pluck().get()).toBe(0);
    fixture.close();

    const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    fixtures.closeAfterTest(async () => store.close());
    for (const e of appended) if (e.type !== 'DELETED') expect(store.get('Pod', 'default', e.name, e.revision)).toEqual(e.object);
    // The digest covers the body as readers see it: the same whichever table holds it.
    expect((await store.replay({ verify: true })).match).toBe(true);
    const floor = appended[PODS * 2].revision;
    store.compact(floor);
    expect(store.list({ kind: 'Pod', atRevision: floor }).items).toEqual([...aliveAt(appended, floor).values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => e.object));
    // Versions written now are stored once beside the old ones.
    const next = await store.write((tx) => tx.append({ actor: 'test', verb: 'update', type: 'MODIFIED', object: pod(1, 99) }));
    expect(store.get('Pod', 'default', 'p1')).toEqual(next.object);
    const reader = new Database(join(dataDir, 'kubeql.db'), { readonly: true });
    try {
      expect(reader.prepare('SELECT object FROM objects WHERE from_rev = ?').pluck().get(next.revision)).toBeNull();
    } finally {
      reader.close();
    }
    expect((await store.replay({ verify: true })).match).toBe(true);
  });
});
