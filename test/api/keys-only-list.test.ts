/**
 * A list that selects only its objects' names (and cursors, pageInfo, revision) is read from the
 * store without the objects' bodies (ListQuery.keysOnly): which selections qualify, that the SQLite
 * store then answers keys alone, and that such a list answers exactly what the same list with the
 * objects' bodies answers, page by page, with selectors, at a past revision, for a cluster-scoped kind.
 */
import { parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode, Kind } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectsKeysOnly } from '../../server/api/schema/keys-only-selection.js';
import type { KObject } from '../../server/resources/kind.js';
import { createStore } from '../../server/store/sqlite/create-store.js';
import { CREATE_POD, POD, startTestApi, testBackend, type TestApi } from '../support/api.js';
import { storeFixtures } from '../support/store-fixtures.js';

/** The resolve info of the first field of `document`'s operation: its field nodes and the document's fragments. */
function infoOf(document: string) {
  const doc = parse(document);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments };
}

describe('which list selections read keys only', () => {
  const keysOnly = [
    '{ pods { edges { node { metadata { name } } } } }',
    '{ pods { __typename revision edges { __typename cursor node { __typename metadata { __typename name namespace } } } pageInfo { hasNextPage endCursor } } }',
    '{ pods { edges { node { ... on Pod { metadata { name } } } } } }',
    '{ pods { ...C } } fragment C on PodConnection { edges { node { ...N } } } fragment N on Pod { metadata { ...M } } fragment M on ObjectMeta { name namespace }',
    '{ p: pods { edges { n: node { m: metadata { n: name } } } } }',
  ];
  it.each(keysOnly)('%s: keys only', (document) => expect(selectsKeysOnly(infoOf(document))).toBe(true));

  const whole = [
    '{ pods { edges { node { metadata { name labels } } } } }',
    '{ pods { edges { node { metadata { name uid } } } } }',
    '{ pods { edges { node { metadata { name resourceVersion } } } } }',
    '{ pods { edges { node { spec { nodeName } } } } }',
    '{ pods { edges { node { manifest } } } }',
    '{ pods { edges { node { kind metadata { name } } } } }',
    '{ pods { edges { node { metadata { name } status { phase } } } } }',
    '{ pods { edges { node { ... on Pod { spec { nodeName } } } } } }',
    '{ pods { edges { node { metadata { ...M } } } } } fragment M on ObjectMeta { name annotations }',
    '{ pods { edges { node { ...Missing } } } }',
    '{ pods { edges { node { metadata { constructor } } } } }',
    '{ pods }',
  ];
  it.each(whole)('%s: whole objects', (document) => expect(selectsKeysOnly(infoOf(document))).toBe(false));

  it('walks each fragment once per place it may sit: a chain of 40 fragments each spreading the next twice (2^40 paths) is answered at once', () => {
    const chain = Array.from({ length: 40 }, (_, i) => `fragment F${i} on ObjectMeta { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const started = Date.now();
    expect(selectsKeysOnly(infoOf(`{ pods { edges { node { metadata { ...F0 } } } } } ${chain} fragment F40 on ObjectMeta { name }`))).toBe(true);
    expect(selectsKeysOnly(infoOf(`{ pods { edges { node { metadata { ...F0 } } } } } ${chain} fragment F40 on ObjectMeta { name uid }`))).toBe(false);
    // A functional bound, not a timing: walked path by path, this would not end.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('every occurrence of the field must qualify (merged fields)', () => {
    const a = infoOf('{ pods { edges { node { metadata { name } } } } }');
    const b = infoOf('{ pods { edges { node { spec { nodeName } } } } }');
    expect(selectsKeysOnly({ fieldNodes: [...a.fieldNodes, ...b.fieldNodes], fragments: {} })).toBe(false);
  });
});

describe.skipIf(testBackend !== 'sqlite')('the SQLite store asked for keys only', () => {
  const fixtures = storeFixtures('keys-only-list');
  it('answers kind, namespace and name, in key order, with the same pages and selectors as whole objects', async () => {
    const store = createStore({ dataDir: fixtures.dataDir() });
    try {
      const pod = (namespace: string, name: string, labels: Record<string, string>): KObject =>
        ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `u-${namespace}-${name}`, labels }, spec: { containers: [{ name: 'c', image: 'x' }] } }) as unknown as KObject;
      for (const [ns, name, tier] of [['b', 'p2', 'gold'], ['a', 'p1', 'gold'], ['a', 'p3', 'bronze'], ['b', 'p1', 'gold']])
        await store.write((tx) => tx.append({ actor: 'admin', verb: 'create', type: 'ADDED', object: pod(ns, name, { tier }) }));
      const first = store.list({ kind: 'Pod', limit: 2, keysOnly: true });
      expect(first.items).toEqual([
        { kind: 'Pod', metadata: { name: 'p1', namespace: 'a' } },
        { kind: 'Pod', metadata: { name: 'p3', namespace: 'a' } },
      ]);
      expect(first.hasMore).toBe(true);
      const keys = (items: KObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
      const rest = store.list({ kind: 'Pod', limit: 2, after: { namespace: 'a', name: 'p3' }, keysOnly: true });
      expect([keys(rest.items), rest.hasMore]).toEqual([['b/p1', 'b/p2'], false]);
      // With a label requirement driving the query through the label index.
      const gold = { key: 'tier', operator: 'in' as const, values: ['gold'] };
      expect(keys(store.list({ kind: 'Pod', labelSelector: [gold], keysOnly: true }).items)).toEqual(keys(store.list({ kind: 'Pod', labelSelector: [gold] }).items));
      expect(keys(store.list({ kind: 'Pod', labelSelector: [gold], keysOnly: true }).items)).toEqual(['a/p1', 'b/p1', 'b/p2']);
    } finally {
      store.close();
    }
  });
});

describe('a names-only list answers what the whole list answers', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    for (const ns of ['k1', 'k2']) await api.ok(`mutation($n: String!) { createNamespace(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: ns });
    for (let i = 0; i < 23; i++)
      await api.ok(CREATE_POD, {
        i: POD(`pod-${String(i).padStart(2, '0')}`, {
          namespace: i % 3 === 0 ? 'k1' : 'k2',
          labels: { app: i % 2 ? 'web' : 'db', ...(i % 5 ? { tier: i % 4 ? 'front' : 'back' } : {}) },
          spec: { containers: [{ name: 'c', image: 'x' }], nodeName: i % 7 === 0 ? 'node-a' : undefined },
        }),
      });
  });
  afterAll(() => api.close());

  const NAMES = `query($ns: String, $s: String, $f: String, $after: String, $at: Revision) {
    pods(namespace: $ns, labelSelector: $s, fieldSelector: $f, first: 4, after: $after, atRevision: $at) {
      revision pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { metadata { name namespace } } }
    }
  }`;
  // The same, with a field only a body has.
  const WHOLE = NAMES.replace('node { metadata { name namespace } }', 'node { metadata { name namespace uid } spec { nodeName } }');

  /** Every page of a list, each with its edges' keys and cursors, its pageInfo and revision. */
  async function pages(document: string, variables: Record<string, unknown>) {
    const out: unknown[] = [];
    let after: string | null = null;
    do {
      const { pods }: any = await api.ok(document, { ...variables, after });
      out.push({ revision: pods.revision, pageInfo: pods.pageInfo, edges: pods.edges.map((e: any) => ({ cursor: e.cursor, name: e.node.metadata.name, namespace: e.node.metadata.namespace })) });
      after = pods.pageInfo.hasNextPage ? pods.pageInfo.endCursor : null;
    } while (after);
    return out;
  }

  const cases: Array<[string, Record<string, unknown>]> = [
    ['all namespaces', {}],
    ['one namespace', { ns: 'k2' }],
    ['a label selector with an index-driven requirement', { s: 'app in (web)' }],
    ['a label selector matched on the labels', { s: 'tier!=back,app' }],
    ['both', { s: 'app in (web,db),!tier' }],
    ['a field selector', { f: 'spec.nodeName=node-a' }],
  ];
  it.each(cases)('%s', async (_, variables) => {
    const names = await pages(NAMES, variables);
    expect(names).toEqual(await pages(WHOLE, variables));
    expect(names.length).toBeGreaterThan(0);
  });

  it('at a past revision, after deletes and creates', async () => {
    const { revision } = await api.ok('{ revision }');
    for (const name of ['pod-01', 'pod-04']) await api.ok(`mutation($n: String!) { deletePod(namespace: "k2", name: $n) { metadata { name } } }`, { n: name });
    await api.ok(CREATE_POD, { i: POD('pod-99', { namespace: 'k1' }) });
    const past = await pages(NAMES, { at: Number(revision) });
    expect(past).toEqual(await pages(WHOLE, { at: Number(revision) }));
    expect(past.flatMap((p: any) => p.edges.map((e: any) => e.name))).toContain('pod-01');
    expect((await pages(NAMES, {})).flatMap((p: any) => p.edges.map((e: any) => e.name))).not.toContain('pod-01');
  });

  it('for a cluster-scoped kind: no namespace', async () => {
    const names = await api.ok('{ namespaces { edges { cursor node { metadata { name namespace } } } } }');
    const whole = await api.ok('{ namespaces { edges { cursor node { metadata { name namespace uid } } } } }');
    expect(names.namespaces.edges).toEqual(whole.namespaces.edges.map((e: any) => ({ cursor: e.cursor, node: { metadata: { name: e.node.metadata.name, namespace: null } } })));
    expect(names.namespaces.edges.map((e: any) => e.node.metadata.name)).toEqual(expect.arrayContaining(['k1', 'k2']));
  });
});
