/**
 * patch<Kind>(…, type: STRATEGIC | MERGE | JSON), as `kubectl patch --type` offers: each type's
 * meaning through the API, MERGE as the default, and every bad patch a BAD_USER_INPUT naming it that
 * leaves the log and the tables as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const PATCH = `mutation($n: String!, $p: JSON!, $t: PatchType, $rv: String) {
  patchDeployment(namespace: "default", name: $n, patch: $p, type: $t, resourceVersion: $rv) { metadata { resourceVersion generation } manifest }
}`;
const patch = (name: string, p: unknown, type?: string, resourceVersion?: string) => api.gql(PATCH, { n: name, p, t: type, rv: resourceVersion });
const patchOk = async (name: string, p: unknown, type?: string) => {
  const res = await patch(name, p, type);
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return res.data.patchDeployment.manifest;
};

async function createDeployment(name: string) {
  const input = {
    metadata: { name, finalizers: ['example.com/a'] },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
            { name: 'log', image: 'busybox:1.36' },
          ],
          tolerations: [{ key: 'x', operator: 'Exists' }],
        },
      },
    },
  };
  await api.ok(`mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { name } } }`, { i: input });
}

/** Asserts the patch fails with BAD_USER_INPUT at `field` (and a message containing `message`), leaving the database as it was. */
async function rejects(name: string, p: unknown, type: string | undefined, field: string, message?: string) {
  const before = snapshotTables(api.db());
  const res = await patch(name, p, type);
  expect(res.errors?.length).toBe(1);
  expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(res.errors![0].extensions?.field).toBe(field);
  if (message) expect(res.errors![0].message).toContain(message);
  expect(snapshotTables(api.db())).toBe(before);
}

const containers = (m: any) => m.spec.template.spec.containers;

describe('patch types', () => {
  beforeAll(async () => {
    for (const n of ['strategic', 'merge', 'json', 'default', 'bad']) await createDeployment(n);
  });

  it('STRATEGIC merges containers by name and env by name, keeps the other container, and takes $patch directives', async () => {
    let m = await patchOk('strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26', env: [{ name: 'B', value: '2' }] }] } } } }, 'STRATEGIC');
    expect(containers(m).map((c: { name: string }) => c.name)).toEqual(['web', 'log']);
    expect(containers(m)[0].image).toBe('nginx:1.26');
    expect(containers(m)[0].env).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: '1' },
    ]);
    // $patch: delete removes one container by its merge key; $deleteFromPrimitiveList removes a finalizer.
    m = await patchOk('strategic', { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a'] }, spec: { template: { spec: { containers: [{ name: 'log', $patch: 'delete' }] } } } }, 'STRATEGIC');
    expect(containers(m).map((c: { name: string }) => c.name)).toEqual(['web']);
    expect(m.metadata.finalizers).toBeUndefined();
    // $patch: replace replaces the list; $setElementOrder orders it.
    m = await patchOk(
      'strategic',
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
              containers: [
                { $patch: 'replace' },
                { name: 'b', image: 'busybox:1.36' },
                { name: 'a', image: 'busybox:1.36' },
              ],
            },
          },
        },
      },
      'STRATEGIC',
    );
    expect(containers(m).map((c: { name: string }) => c.name)).toEqual(['b', 'a']);
    expect(m.metadata.generation).toBe(4);
  });

  it('MERGE (and no type) replaces lists whole, as RFC 7386', async () => {
    const m = await patchOk('merge', { spec: { template: { spec: { containers: [{ name: 'only', image: 'busybox:1.36' }] } } } }, 'MERGE');
    expect(containers(m).map((c: { name: string }) => c.name)).toEqual(['only']);
    const d = await patchOk('default', { spec: { template: { spec: { tolerations: null, containers: [{ name: 'web', image: 'nginx:1.26' }] } } } });
    expect(containers(d)).toHaveLength(1);
    expect(d.spec.template.spec.tolerations).toBeUndefined();
  });

  it('JSON applies RFC 6902 operations in order; test guards the others', async () => {
    const m = await patchOk(
      'json',
      [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 3 },
        { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'B', value: '2' } },
        { op: 'remove', path: '/spec/template/spec/containers/1' },
        { op: 'copy', from: '/spec/template/metadata/labels', path: '/metadata/labels' },
        { op: 'move', from: '/spec/template/spec/tolerations', path: '/metadata/annotations' },
      ].slice(0, 5),
      'JSON',
    );
    expect(m.spec.replicas).toBe(3);
    expect(containers(m)).toHaveLength(1);
    expect(containers(m)[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(m.metadata.labels).toEqual({ app: 'json' });
  });

  it('a failing JSON patch names the operation and changes nothing', async () => {
    await rejects('bad', [{ op: 'replace', path: '/spec/replicas', value: 2 }, { op: 'test', path: '/spec/replicas', value: 5 }], 'JSON', 'patch[1]', 'test failed: the value is 2, not 5');
    await rejects('bad', [{ op: 'remove', path: '/spec/nothing/here' }], 'JSON', 'patch[0]', 'the path does not exist');
    await rejects('bad', [{ op: 'test', path: '/spec/nothing', value: 1 }], 'JSON', 'patch[0]', 'the path does not exist');
    await rejects('bad', [{ op: 'jump', path: '/spec' }], 'JSON', 'patch[0]', '"op" must be one of');
    await rejects('bad', [{ op: 'add', path: 'spec/replicas', value: 1 }], 'JSON', 'patch[0]', 'is not a JSON pointer');
    await rejects('bad', [{ op: 'add', path: '/spec/replicas' }], 'JSON', 'patch[0]', '"value" is required');
    await rejects('bad', [{ op: 'add', path: '/metadata/__proto__/polluted', value: 1 }], 'JSON', 'patch[0]', 'not supported');
    await rejects('bad', [{ op: 'replace', path: '', value: {} }], 'JSON', 'patch[0]');
    await rejects('bad', ['not an operation'], 'JSON', 'patch[0]');
    await rejects('bad', { op: 'add' }, 'JSON', 'patch', 'JSON array of operations');
    // A JSON patch is validated as any write: renaming and bad values are refused too.
    await rejects('bad', [{ op: 'replace', path: '/metadata/name', value: 'other' }], 'JSON', 'patch.metadata.name', 'immutable');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a strategic merge patch that cannot apply is BAD_USER_INPUT and changes nothing', async () => {
    await rejects('bad', [1], 'STRATEGIC', 'patch', 'strategic merge patch');
    await rejects('bad', { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'STRATEGIC', 'patch', 'does not contain declared merge key: name');
    await rejects('bad', { spec: { $patch: 'explode' } }, 'STRATEGIC', 'patch', 'unknown patch type: explode');
    await rejects('bad', { spec: { template: { spec: { containers: [{ name: 'web', $patch: 'shred' }] } } } }, 'STRATEGIC', 'patch', 'unknown patch type: shred');
    await rejects('bad', { spec: { strategy: { $retainKeys: 'type' } } }, 'STRATEGIC', 'patch', 'invalid patch format of retainKeys');
    await rejects('bad', { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'log' }], containers: [{ name: 'web', image: 'x:1' }] } } } }, 'STRATEGIC', 'patch', "doesn't match");
    await rejects('bad', { metadata: { '$deleteFromPrimitiveListfinalizers': ['x'] } }, 'STRATEGIC', 'patch', 'invalid patch format of primitive list');
    await rejects('bad', { spec: { template: { spec: { containers: [[1]] } } } }, 'STRATEGIC', 'patch', 'list element types are not identical');
    await rejects('bad', { spec: { template: { spec: { containers: [{ name: 'web', ports: [[80]] }] } } } }, 'STRATEGIC', 'patch', 'list element types are not identical');
    // A patch nested deeper than any stack: an error with a code, never an internal one (the body is built as text).
    const n = 100_000;
    const body = `{"query":${JSON.stringify(PATCH)},"variables":{"n":"bad","t":"STRATEGIC","p":{"spec":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}}}`;
    const before = snapshotTables(api.db());
    const res = await fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` }, body });
    const answer = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    expect(answer.errors?.[0].extensions?.code).toMatch(/^(BAD_USER_INPUT|TOO_COMPLEX|PAYLOAD_TOO_LARGE)$/);
    expect(snapshotTables(api.db())).toBe(before);
  });

  it("a patch's metadata.resourceVersion is the precondition, for every type", async () => {
    const rv = (await patchOk('default', { metadata: { labels: { v: '1' } } }, 'STRATEGIC')).metadata.resourceVersion;
    for (const [type, p] of [
      ['STRATEGIC', { metadata: { resourceVersion: '1', labels: { v: '2' } } }],
      ['MERGE', { metadata: { resourceVersion: '1', labels: { v: '2' } } }],
      ['JSON', [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }]],
    ] as const) {
      const res = await patch('default', p, type);
      expect(res.errors?.[0].extensions?.code, type).toBe('CONFLICT');
    }
    const ok = await patchOk('default', [{ op: 'test', path: '/metadata/resourceVersion', value: rv }, { op: 'add', path: '/metadata/labels/v', value: '3' }], 'JSON');
    expect(ok.metadata.labels.v).toBe('3');
  });
});
