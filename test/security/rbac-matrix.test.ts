/**
 * Every identity × verb × kind × namespace, allowed or denied exactly as its bindings say. The
 * expectation comes from the same grants table the identities are made from, through a matcher
 * written here (not the server's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { makeIdentity, type RoleGrant } from '../support/identities.js';

let api: TestApi;
const tokens: Record<string, string> = {};

const IDENTITIES: Record<string, RoleGrant[]> = {
  'pod-reader-a': [{ namespace: 'ns-a', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] }],
  'editor-a': [{ namespace: 'ns-a', clusterRole: true, rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'services', 'replicasets', 'pods/status', 'replicasets/scale'], verbs: ['*'] }] }],
  'cluster-viewer': [{ namespace: '*', rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] }] }],
  'named-b': [{ namespace: 'ns-b', rules: [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'delete', 'patch'], resourceNames: ['target'] }] }],
  'status-writer-b': [{ namespace: 'ns-b', rules: [{ apiGroups: [''], resources: ['pods/status'], verbs: ['update'] }, { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['scale'] }] }],
  nobody: [],
};

const KINDS = {
  Pod: { group: '', resource: 'pods', body: { spec: { containers: [{ name: 'c', image: 'nginx' }] } }, status: { phase: 'Running' } },
  Service: { group: '', resource: 'services', body: { spec: { ports: [{ port: 80 }] } }, status: { loadBalancer: {} } },
  ReplicaSet: {
    group: 'apps',
    resource: 'replicasets',
    body: { spec: { replicas: 0, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
    status: { replicas: 0 },
  },
} as const;
type KindName = keyof typeof KINDS;
const VERBS = ['get', 'list', 'create', 'update', 'patch', 'delete', 'updateStatus', 'scale'] as const;
type Verb = (typeof VERBS)[number];
const NAMESPACES = ['ns-a', 'ns-b'];

/** The RBAC request a GraphQL operation is (Kubernetes' terms). */
function request(verb: Verb, kind: KindName): Array<{ verb: string; resource: string }> {
  const r = KINDS[kind].resource;
  if (verb === 'updateStatus') return [{ verb: 'update', resource: `${r}/status` }, { verb: 'patch', resource: `${r}/status` }];
  if (verb === 'scale') return [{ verb: 'scale', resource: r }, { verb: 'update', resource: `${r}/scale` }, { verb: 'patch', resource: `${r}/scale` }];
  return [{ verb, resource: r }];
}

function expected(identity: string, verb: Verb, kind: KindName, namespace: string, name: string): boolean {
  const group = KINDS[kind].group;
  return request(verb, kind).some((req) =>
    IDENTITIES[identity].some(
      (g) =>
        (g.namespace === '*' || g.namespace === namespace) &&
        g.rules.some(
          (rule) =>
            (rule.verbs.includes('*') || rule.verbs.includes(req.verb)) &&
            (rule.apiGroups.includes('*') || rule.apiGroups.includes(group)) &&
            (rule.resources.includes('*') || rule.resources.includes(req.resource)) &&
            (!rule.resourceNames || (rule.resourceNames.includes(name) && !['list', 'create'].includes(req.verb))),
        ),
    ),
  );
}

const lower = (k: string) => k[0].toLowerCase() + k.slice(1);

function operation(verb: Verb, kind: KindName, namespace: string, name: string): [string, Record<string, unknown>] {
  const input = { metadata: { name, namespace }, ...KINDS[kind].body };
  const target = `namespace: "${namespace}", name: "${name}"`;
  switch (verb) {
    case 'get':
      return [`{ x: ${lower(kind)}(${target}) { metadata { name } } }`, {}];
    case 'list':
      return [`{ x: ${lower(kind)}s(namespace: "${namespace}") { revision } }`, {}];
    case 'create':
      return [`mutation($i: ${kind}Input!) { x: create${kind}(input: $i) { metadata { name } } }`, { i: input }];
    case 'update':
      return [`mutation($i: ${kind}Input!) { x: update${kind}(input: $i) { metadata { name } } }`, { i: { ...input, metadata: { ...input.metadata, labels: { u: '1' } } } }];
    case 'patch':
      return [`mutation { x: patch${kind}(${target}, patch: { metadata: { labels: { p: "1" } } }) { metadata { name } } }`, {}];
    case 'delete':
      return [`mutation { x: delete${kind}(${target}) { metadata { name } } }`, {}];
    case 'updateStatus':
      return [`mutation($s: JSON!) { x: update${kind}Status(${target}, status: $s) { metadata { name } } }`, { s: KINDS[kind].status }];
    case 'scale':
      return [`mutation { x: scale${kind}(${target}, replicas: 0) { metadata { name } } }`, {}];
  }
}

beforeAll(async () => {
  api = await startTestApi();
  for (const ns of NAMESPACES) await api.ok(`mutation { createNamespace(input: { metadata: { name: "${ns}" } }) { metadata { name } } }`);
  for (const [name, grants] of Object.entries(IDENTITIES)) tokens[name] = await makeIdentity(api, name, grants);
});
afterAll(() => api.close());

const cases = Object.keys(IDENTITIES).flatMap((identity) =>
  (Object.keys(KINDS) as KindName[]).flatMap((kind) =>
    VERBS.filter((v) => v !== 'scale' || kind === 'ReplicaSet').flatMap((verb) => NAMESPACES.map((ns) => ({ identity, kind, verb, ns }))),
  ),
);

describe('RBAC matrix', () => {
  it(`${cases.length} requests are allowed or denied exactly as the bindings say`, async () => {
    const mismatches: string[] = [];
    let n = 0;
    for (const { identity, kind, verb, ns } of cases) {
      // Half the cases target the name a resourceNames rule allows, half another one.
      const name = n++ % 2 === 0 ? 'target' : `obj-${n}`;
      if (verb !== 'create' && verb !== 'list') {
        await api.ok(`mutation($i: ${kind}Input!) { create${kind}(input: $i) { metadata { name } } }`, { i: { metadata: { name, namespace: ns }, ...KINDS[kind].body } }).catch(() => {});
      }
      const [query, variables] = operation(verb, kind, ns, verb === 'create' ? `new-${n}` : name);
      const res = await api.gqlAs(tokens[identity], query, variables);
      const code = res.errors?.[0]?.extensions?.code;
      const allowed = expected(identity, verb, kind, ns, verb === 'create' ? `new-${n}` : name);
      if (allowed && code !== undefined) mismatches.push(`${identity} ${verb} ${kind} ${ns}/${name}: expected success, got ${code}: ${res.errors![0].message}`);
      if (!allowed && code !== 'FORBIDDEN') mismatches.push(`${identity} ${verb} ${kind} ${ns}/${name}: expected FORBIDDEN, got ${code ?? 'success'}`);
      if (verb !== 'create' && verb !== 'list') await api.gql(`mutation { delete${kind}(namespace: "${ns}", name: "${name}") { metadata { name } } }`);
    }
    expect(mismatches).toEqual([]);
    // The table exercises both outcomes plenty.
    const allowedCount = cases.filter((c, i) => expected(c.identity, c.verb, c.kind, c.ns, i % 2 === 0 ? 'target' : 'x')).length;
    expect(allowedCount).toBeGreaterThan(30);
    expect(cases.length - allowedCount).toBeGreaterThan(100);
  });

  it('no token is UNAUTHENTICATED with HTTP 401; a bad token too', async () => {
    const res = await fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ revision }' }) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await api.gqlAs('kq_not-a-token', '{ revision }')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a list across namespaces answers with the namespaces the identity may read, not an error', async () => {
    await api.ok(`mutation { a: createPod(input: { metadata: { name: "visible", namespace: "ns-a" }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } b: createPod(input: { metadata: { name: "hidden", namespace: "ns-b" }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`);
    const res = await api.gqlAs(tokens['pod-reader-a'], `{ pods { edges { node { metadata { namespace name } } } } }`);
    expect(res.errors).toBeUndefined();
    const namespaces = new Set(res.data.pods.edges.map((e: any) => e.node.metadata.namespace));
    expect([...namespaces]).toEqual(['ns-a']);
    expect((await api.gqlAs(tokens.nobody, `{ pods { edges { node { metadata { name } } } } }`)).data.pods.edges).toEqual([]);
  });

  it('the actor of every event is the authenticated identity', async () => {
    await api.gqlAs(tokens['editor-a'], `mutation { createPod(input: { metadata: { name: "by-editor", namespace: "ns-a" }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`);
    const row = api.db().prepare(`SELECT actor FROM events WHERE name = 'by-editor'`).get() as { actor: string };
    expect(row.actor).toBe('system:serviceaccount:default:editor-a');
  });
});
