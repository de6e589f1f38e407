import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;

// Label sets in namespace "sel": Kubernetes' semantics decide which selector matches which.
const PODS: Record<string, Record<string, string>> = {
  a: { app: 'web', tier: 'front', version: '2' },
  b: { app: 'web', tier: 'back', version: '10' },
  c: { app: 'db', tier: 'back' },
  d: { app: 'db' },
  e: {},
};

beforeAll(async () => {
  api = await startTestApi();
  await api.ok('mutation { createNamespace(input: { metadata: { name: "sel" } }) { metadata { name } } }');
  for (const [name, labels] of Object.entries(PODS))
    await api.ok(CREATE_POD, { i: POD(name, { namespace: 'sel', labels, spec: { containers: [{ name: 'c', image: 'x' }], nodeName: name === 'a' ? 'node-1' : undefined } }) });
});
afterAll(() => api.close());

const LIST = `query($s: String, $f: String) { pods(namespace: "sel", labelSelector: $s, fieldSelector: $f) { edges { node { metadata { name } } } revision } }`;
const names = (data: any) => data.pods.edges.map((e: any) => e.node.metadata.name);

describe('label selectors, answered by the store', () => {
  const table: Array<[string, string[]]> = [
    ['', ['a', 'b', 'c', 'd', 'e']],
    ['app=web', ['a', 'b']],
    ['app==web', ['a', 'b']],
    ['app!=web', ['c', 'd', 'e']], // != matches objects without the key
    ['tier in (front,back)', ['a', 'b', 'c']],
    ['tier notin (front)', ['b', 'c', 'd', 'e']], // notin matches objects without the key
    ['tier', ['a', 'b', 'c']],
    ['!tier', ['d', 'e']],
    ['app=db,!tier', ['d']],
    ['app in (web,db),tier=back', ['b', 'c']],
    ['version>3', ['b']],
    ['version<3', ['a']],
    ['app=nothing', []],
    ['app in (web), app notin (web)', []],
  ];
  it.each(table)('%j selects %j', async (selector, expected) => {
    expect(names(await api.ok(LIST, { s: selector }))).toEqual(expected);
  });

  const invalid = ['app in (web', 'app web', '=web', 'app in web', '!app=web', `${'k'.repeat(64)}=v`, 'app=we b', 'version>x', 'app=-bad'];
  it.each(invalid)('%j is INVALID_SELECTOR', async (selector) => {
    const res = await api.gql(LIST, { s: selector });
    expect(res.data).toBeNull();
    expect(res.errors?.[0].extensions?.code).toBe('INVALID_SELECTOR');
  });
});

describe('field selectors', () => {
  const table: Array<[string, string[]]> = [
    ['metadata.name=c', ['c']],
    ['metadata.name!=c', ['a', 'b', 'd', 'e']],
    ['spec.nodeName=node-1', ['a']],
    ['spec.nodeName=', ['b', 'c', 'd', 'e']],
    ['status.phase=Pending', ['a', 'b', 'c', 'd', 'e']],
    ['status.phase=Running', []],
    ['metadata.namespace=sel,metadata.name=a', ['a']],
  ];
  it.each(table)('%j selects %j', async (selector, expected) => {
    expect(names(await api.ok(LIST, { f: selector }))).toEqual(expected);
  });

  it('an unknown field is INVALID_SELECTOR', async () => {
    const res = await api.gql(LIST, { f: 'spec.containers=x' });
    expect(res.errors?.[0].extensions?.code).toBe('INVALID_SELECTOR');
  });
});

describe('pagination', () => {
  it('every page reads at the first page revision while writers run', async () => {
    await api.ok('mutation { createNamespace(input: { metadata: { name: "paged" } }) { metadata { name } } }');
    for (let i = 0; i < 60; i++) await api.ok(CREATE_POD, { i: POD(`p-${String(i).padStart(3, '0')}`, { namespace: 'paged', labels: { round: '0' } }) });

    let stop = false;
    let writes = 0;
    const writer = (async () => {
      while (!stop) {
        const n = writes++;
        await api.ok(CREATE_POD, { i: POD(`new-${n}`, { namespace: 'paged' }) });
        await api.ok(`mutation { patchPod(namespace: "paged", name: "p-${String(n % 60).padStart(3, '0')}", patch: { metadata: { labels: { round: "${n + 1}" } } }) { metadata { name } } }`);
        if (n % 10 === 0) await api.ok(`mutation { deletePod(namespace: "paged", name: "p-${String(59 - (n % 60)).padStart(3, '0')}") { metadata { name } } }`).catch(() => {});
      }
    })();

    const PAGE = `query($after: String) { pods(namespace: "paged", first: 7, after: $after) { edges { cursor node { metadata { name resourceVersion labels } } } pageInfo { hasNextPage endCursor } revision } }`;
    const seen: any[] = [];
    let after: string | undefined;
    let revision: number | undefined;
    for (;;) {
      const page = (await api.ok(PAGE, { after })).pods;
      revision ??= page.revision;
      expect(page.revision).toBe(revision);
      seen.push(...page.edges.map((e: any) => e.node));
      await new Promise((r) => setTimeout(r, 5)); // let the writers move the head between pages
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    stop = true;
    await writer;
    expect(writes).toBeGreaterThan(3);

    // The pages together are exactly the list at that revision, as one read gives it.
    const whole = (await api.ok(`query($r: Revision) { pods(namespace: "paged", atRevision: $r, first: 1000) { edges { node { metadata { name resourceVersion labels } } } } }`, { r: revision })).pods.edges.map((e: any) => e.node);
    expect(seen).toEqual(whole);
    for (const pod of seen) expect(Number(pod.metadata.resourceVersion)).toBeLessThanOrEqual(revision!);
    // And the head did move while we paged.
    expect((await api.ok('{ revision }')).revision).toBeGreaterThan(revision!);
  });

  it('rejects a foreign cursor and an out-of-range page size', async () => {
    expect((await api.gql('{ pods(after: "bm90LWEtY3Vyc29y") { revision } }')).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await api.gql('{ pods(first: -1) { revision } }')).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
