import { applyPatch } from 'rfc6902';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';

const HISTORY = `query($k: Kind!, $ns: String, $n: String!, $first: Int, $after: String) {
  history(kind: $k, namespace: $ns, name: $n, first: $first, after: $after) {
    edges { cursor node { revision ts actor verb type uid object patch } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    revision floor
  }
}`;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const mutate = (doc: string, vars?: Record<string, unknown>) => api.ok(doc, vars);

async function allVersions(kind: string, namespace: string | undefined, name: string, first = 100) {
  const out: any[] = [];
  let after: string | undefined;
  for (;;) {
    const h = (await api.ok(HISTORY, { k: kind, ns: namespace, n: name, first, after })).history;
    out.push(...h.edges.map((e: any) => e.node));
    if (!h.pageInfo.hasNextPage) return out;
    after = h.pageInfo.endCursor;
  }
}

/** Each version's patch, applied to the version before it of the same uid, gives that version; the first of each uid has none. */
function expectPatchesChain(versions: any[]) {
  let previous: any;
  for (const v of versions) {
    if (!previous || previous.uid !== v.uid) {
      expect(v.patch, `first version of ${v.uid} at ${v.revision}`).toEqual([]);
    } else {
      const copy = structuredClone(previous.object);
      const errors = applyPatch(copy, v.patch);
      expect(errors.every((e) => e === null), JSON.stringify(errors)).toBe(true);
      expect(copy).toEqual(v.object);
    }
    previous = v;
  }
}

describe('history', () => {
  it('follows a name across create, updates, delete and re-create, with the RFC 6902 change from each version before', async () => {
    const created = (await mutate(CREATE_POD, { i: POD('h1', { labels: { v: '1' } }) })).createPod;
    await mutate(`mutation { patchPod(namespace: "default", name: "h1", patch: { metadata: { labels: { v: "2", extra: "x" } } }) { metadata { name } } }`);
    await mutate(`mutation { updatePodStatus(namespace: "default", name: "h1", status: { phase: "Running", podIP: "10.128.0.7" }) { metadata { name } } }`);
    await mutate(`mutation { patchPod(namespace: "default", name: "h1", patch: { metadata: { labels: { extra: null } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } }) { metadata { name } } }`);
    await mutate(`mutation { deletePod(namespace: "default", name: "h1") { metadata { name } } }`);
    const recreated = (await mutate(CREATE_POD, { i: POD('h1', { labels: { v: 'new' } }) })).createPod;
    await mutate(`mutation { patchPod(namespace: "default", name: "h1", patch: { metadata: { annotations: { note: "a/b~c" } } }) { metadata { name } } }`);

    const versions = await allVersions('Pod', 'default', 'h1');
    const logged = api.db().prepare(`SELECT revision, verb, type, uid, actor FROM events WHERE kind = 'Pod' AND namespace = 'default' AND name = 'h1' ORDER BY revision`).all() as any[];
    expect(versions.map((v) => [v.revision, v.verb, v.type, v.uid, v.actor])).toEqual(logged.map((r) => [r.revision, r.verb, r.type, r.uid, r.actor]));
    expect(versions.map((v) => v.verb)).toEqual(['create', 'patch', 'updateStatus', 'patch', 'delete', 'create', 'patch']);
    expect(versions.map((v) => v.uid)).toEqual([...Array(5).fill(created.metadata.uid), ...Array(2).fill(recreated.metadata.uid)]);
    expectPatchesChain(versions);

    // The patches say what changed, in RFC 6902 terms.
    const ops = (v: any) => v.patch.filter((op: any) => op.path !== '/metadata/resourceVersion');
    expect(ops(versions[1])).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/metadata/labels/v', value: '2' },
        { op: 'add', path: '/metadata/labels/extra', value: 'x' },
      ]),
    );
    expect(ops(versions[2])).toEqual(expect.arrayContaining([{ op: 'add', path: '/status/podIP', value: '10.128.0.7' }]));
    expect(ops(versions[3])).toEqual(expect.arrayContaining([{ op: 'remove', path: '/metadata/labels/extra' }, { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' }]));
    expect(versions[4].type).toBe('DELETED');
    expect(versions[4].object.metadata.labels).toEqual({ v: '2' });
    expect(ops(versions[6])).toEqual([{ op: 'add', path: '/metadata/annotations', value: { note: 'a/b~c' } }]);
    for (const v of versions) expect(new Date(v.ts).toISOString()).toBe(v.ts);
  });

  it('pages oldest first, the first version of a page patched against the last of the page before', async () => {
    await mutate(CREATE_POD, { i: POD('h2', { labels: { n: '0' } }) });
    for (let i = 1; i <= 6; i++) await mutate(`mutation($p: JSON!) { patchPod(namespace: "default", name: "h2", patch: $p) { metadata { name } } }`, { p: { metadata: { labels: { n: String(i) } } } });
    const one = await allVersions('Pod', 'default', 'h2', 100);
    const paged = await allVersions('Pod', 'default', 'h2', 2);
    expect(paged).toEqual(one);
    expect(one.length).toBe(7);
    expectPatchesChain(paged);
    const page2 = (await api.ok(HISTORY, { k: 'Pod', ns: 'default', n: 'h2', first: 2, after: (await api.ok(HISTORY, { k: 'Pod', ns: 'default', n: 'h2', first: 2 })).history.pageInfo.endCursor })).history;
    expect(page2.pageInfo.hasPreviousPage).toBe(true);
    expect(page2.edges[0].node.patch).toContainEqual({ op: 'replace', path: '/metadata/labels/n', value: '2' });
  });

  it('works for cluster-scoped kinds and deleted objects; a name never used has no versions', async () => {
    await mutate(`mutation { createNode(input: { metadata: { name: "hn", labels: { a: "1" } } }) { metadata { name } } }`);
    await mutate(`mutation { patchNode(name: "hn", patch: { metadata: { labels: { a: "2" } } }) { metadata { name } } }`);
    await mutate(`mutation { deleteNode(name: "hn") { metadata { name } } }`);
    const versions = await allVersions('Node', undefined, 'hn');
    expect(versions.map((v) => v.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expectPatchesChain(versions);
    expect((await api.ok(HISTORY, { k: 'Pod', ns: 'default', n: 'never-was' })).history.edges).toEqual([]);
  });

  it('needs a namespace for a namespaced kind and none for a cluster-scoped one; bad input changes nothing', async () => {
    const before = snapshotTables(api.db());
    expect((await api.gql(HISTORY, { k: 'Pod', n: 'h1' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'namespace' });
    expect((await api.gql(HISTORY, { k: 'Node', ns: 'default', n: 'hn' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'namespace' });
    expect((await api.gql(HISTORY, { k: 'Pod', ns: 'default', n: 'h1', first: -3 })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await api.gql(HISTORY, { k: 'Pod', ns: 'default', n: 'h1', after: 'xyz' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(snapshotTables(api.db())).toBe(before);
  });

  it('after compaction starts at the floor, the first kept version patched against the snapshot', async () => {
    await mutate(CREATE_POD, { i: POD('h3', { labels: { s: 'a' } }) });
    const b = (await mutate(`mutation { patchPod(namespace: "default", name: "h3", patch: { metadata: { labels: { s: "b" } } }) { metadata { resourceVersion } } }`)).patchPod;
    const oldCursor = (await api.ok(HISTORY, { k: 'Pod', ns: 'default', n: 'h3', first: 1 })).history.pageInfo.endCursor;
    await mutate(CREATE_POD, { i: POD('filler') });
    await mutate(`mutation { patchPod(namespace: "default", name: "h3", patch: { metadata: { labels: { s: "c" } } }) { metadata { name } } }`);
    api.server.store.compact(Number(b.metadata.resourceVersion) + 1);
    const versions = await allVersions('Pod', 'default', 'h3');
    expect(versions.length).toBe(1);
    expect(versions[0].patch).toContainEqual({ op: 'replace', path: '/metadata/labels/s', value: 'c' });
    expect((await api.gql(HISTORY, { k: 'Pod', ns: 'default', n: 'h3', after: oldCursor })).errors?.[0].extensions?.code).toBe('EXPIRED');
  });
});
