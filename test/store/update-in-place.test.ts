/**
 * The SQLite write path updates an object with a node or a controller in place (project-event.ts):
 * its current row keeps its place and takes the new version, and the old version is a new row, so
 * the indexes of current rows keep their entries. The versions are exactly those a close and an
 * insert make (replay still does that), every read sees them, and the log replays to the tables.
 */
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import type { Store } from '../../server/store/types.js';
import { storeFixtures } from '../support/store-fixtures.js';

const fixtures = storeFixtures('in-place', { postgres: false });

const pod = (phase: string, node?: string, controller = 'rs-1'): KObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'u-web', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: controller, controller: true }] },
    spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'app', image: 'nginx' }] },
    status: { phase },
  }) as unknown as KObject;
const lease = (renewTime: string): KObject =>
  ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease', uid: 'u-lease' }, spec: { holderIdentity: 'n1', renewTime } }) as unknown as KObject;

const write = (store: Store, verb: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject) =>
  store.write((tx) => tx.append({ actor: 'admin', verb: verb as never, type, object }).revision);

describe('updates in place', () => {
  it("a pod's binds and status writes keep its current row, and its versions are those of the log", async () => {
    const { store, reader } = fixtures.sqliteStore();
    const rowsOf = (kind: string) =>
      reader.prepare(`SELECT rowid AS at, from_rev, to_rev, node_name, phase, controller_uid, object IS NULL AS body_in_event FROM objects WHERE kind = ? ORDER BY from_rev`).all(kind) as Array<Record<string, unknown>>;
    const created = await write(store, 'create', 'ADDED', pod('Pending'));
    const currentAt = rowsOf('Pod')[0].at;
    const bound = await write(store, 'bind', 'MODIFIED', pod('Pending', 'n1'));
    const running = await write(store, 'updateStatus', 'MODIFIED', pod('Running', 'n1'));
    const adopted = await write(store, 'update', 'MODIFIED', pod('Running', 'n1', 'rs-2'));
    const rows = rowsOf('Pod');
    expect(rows.map(({ at: _, ...version }) => version)).toEqual([
      { from_rev: created, to_rev: bound, node_name: null, phase: 'Pending', controller_uid: 'rs-1', body_in_event: 1 },
      { from_rev: bound, to_rev: running, node_name: 'n1', phase: 'Pending', controller_uid: 'rs-1', body_in_event: 1 },
      { from_rev: running, to_rev: adopted, node_name: 'n1', phase: 'Running', controller_uid: 'rs-1', body_in_event: 1 },
      { from_rev: adopted, to_rev: null, node_name: 'n1', phase: 'Running', controller_uid: 'rs-2', body_in_event: 1 },
    ]);
    // The row of the current version is the one the create inserted; each closed version is a row of its own.
    expect(rows.at(-1)!.at).toBe(currentAt);
    expect(new Set(rows.map((r) => r.at)).size).toBe(rows.length);
    // Reads at each revision, the head's lists and the node's pods see the versions the log has.
    expect(store.get('Pod', 'default', 'web', bound)?.spec).toEqual({ nodeName: 'n1', containers: [{ name: 'app', image: 'nginx' }] });
    expect((store.get('Pod', 'default', 'web', running)?.status as { phase: string }).phase).toBe('Running');
    expect(store.get('Pod', 'default', 'web', created)?.spec).toEqual({ containers: [{ name: 'app', image: 'nginx' }] });
    expect(store.get('Pod', 'default', 'web')?.metadata.ownerReferences?.[0].uid).toBe('rs-2');
    expect(reader.prepare(`SELECT count(*) FROM objects INDEXED BY objects_node WHERE kind = 'Pod' AND node_name = 'n1' AND to_rev IS NULL`).pluck().get()).toBe(1);
    expect(reader.prepare(`SELECT count(*) FROM objects INDEXED BY objects_controller WHERE controller_uid = 'rs-2' AND to_rev IS NULL`).pluck().get()).toBe(1);
    expect(reader.prepare(`SELECT count(*) FROM objects INDEXED BY objects_controller WHERE controller_uid = 'rs-1' AND to_rev IS NULL`).pluck().get()).toBe(0);
    // Deleted: the current row is closed where it is.
    const deleted = await write(store, 'delete', 'DELETED', pod('Running', 'n1', 'rs-2'));
    expect(rowsOf('Pod').at(-1)).toMatchObject({ at: currentAt, from_rev: adopted, to_rev: deleted });
    expect(store.get('Pod', 'default', 'web')).toBeUndefined();
    // A Lease (neither node nor controller) is closed and inserted anew, as before.
    await write(store, 'create', 'ADDED', lease('t1'));
    const first = rowsOf('Lease')[0].at;
    await write(store, 'update', 'MODIFIED', lease('t2'));
    const leases = rowsOf('Lease');
    expect(leases).toHaveLength(2);
    expect(leases[0]).toMatchObject({ at: first, to_rev: store.head() });
    expect(leases[1]).toMatchObject({ from_rev: store.head(), to_rev: null });
    expect(leases[1].at).not.toBe(first);
    expect((await store.replay({ verify: true })).match).toBe(true);
  });
});
