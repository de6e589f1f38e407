/**
 * Property-based fuzzing (fast-check) of what clients send: selectors, names, labels, manifests,
 * merge patches and status updates. Whatever arrives, the answer is data or a coded client error,
 * never an internal error, and a rejected request leaves the log exactly as it was.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await api.ok(`mutation { createPod(input: { metadata: { name: "target", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } }) { metadata { name } } }`);
});
afterAll(() => api.close());

const CLIENT_CODES = new Set(['BAD_USER_INPUT', 'INVALID_SELECTOR', 'NOT_FOUND', 'ALREADY_EXISTS', 'CONFLICT', 'FORBIDDEN', 'TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);
const head = () => (api.db().prepare('SELECT coalesce(max(revision), 0) AS r FROM events').get() as { r: number }).r;

/** Sends one request and checks the invariant; returns whether it was accepted. */
async function probe(query: string, variables: Record<string, unknown>): Promise<boolean> {
  const before = head();
  const res: GraphQLResponse = await api.gql(query, variables);
  if (!res.errors?.length) return true;
  for (const e of res.errors) expect(CLIENT_CODES, `${e.extensions?.code}: ${e.message}`).toContain(e.extensions?.code);
  expect(head()).toBe(before);
  return false;
}

const json = fc.jsonValue({ maxDepth: 4 });
const label = fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[a-z0-9]([-a-z0-9._]{0,10}[a-z0-9])?$/));
const labels = fc.dictionary(fc.oneof(label, fc.constant('app.kubernetes.io/name'), fc.stringMatching(/^[a-z]{1,8}\/[a-z]{1,8}$/)), label, { maxKeys: 4 });
const RUNS = { numRuns: 120 };

describe('fuzzing: never an internal error, never a change when rejected', () => {
  it('label and field selectors', async () => {
    const selector = fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-z!=,() ]{0,30}$/), fc.stringMatching(/^[a-z]+ (in|notin) \([a-z, ]*\)?$/));
    await fc.assert(
      fc.asyncProperty(selector, selector, async (ls, fs) => {
        await probe(`query($ls: String, $fs: String) { pods(labelSelector: $ls, fieldSelector: $fs) { revision } }`, { ls, fs });
      }),
      RUNS,
    );
  });

  it('names, labels and whole manifests on create', async () => {
    const name = fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,20}[a-z0-9])?$/));
    const manifest = fc.record(
      {
        apiVersion: fc.oneof(fc.constant('v1'), json),
        kind: fc.oneof(fc.constant('Pod'), json),
        metadata: fc.record({ name, labels: fc.oneof(labels, json), annotations: fc.oneof(labels, json), finalizers: fc.oneof(fc.array(label, { maxLength: 3 }), json) }, { requiredKeys: ['name'] }),
        spec: fc.oneof(json, fc.record({ containers: fc.oneof(json, fc.array(fc.record({ name, image: fc.oneof(fc.string(), json), ports: json }), { maxLength: 3 })) })),
      },
      { requiredKeys: ['metadata'] },
    );
    await fc.assert(
      fc.asyncProperty(manifest, async (i) => {
        await probe(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i });
      }),
      RUNS,
    );
  });

  it('apply of arbitrary YAML text', async () => {
    const text = fc.oneof(fc.string({ maxLength: 200 }), json.map((v) => JSON.stringify(v)), fc.constantFrom('---\n---', 'kind: Pod\nmetadata: [', 'a: &x\n  b: *x', '- - -'));
    await fc.assert(
      fc.asyncProperty(text, async (m) => {
        await probe(`mutation($m: String!) { apply(manifests: $m) { revision } }`, { m });
      }),
      RUNS,
    );
  });

  it('merge patches', async () => {
    const patch = fc.oneof(json, fc.record({ metadata: fc.record({ labels: fc.oneof(labels, json), finalizers: json, resourceVersion: json }), spec: json }, { requiredKeys: [] }));
    await fc.assert(
      fc.asyncProperty(patch, async (p) => {
        await probe(`mutation($p: JSON!) { patchPod(namespace: "default", name: "target", patch: $p) { metadata { name } } }`, { p });
      }),
      RUNS,
    );
  });

  it('status updates', async () => {
    const status = fc.oneof(json, fc.record({ phase: json, conditions: fc.oneof(json, fc.array(fc.record({ type: json, status: json, lastTransitionTime: json }), { maxLength: 2 })), podIP: json }, { requiredKeys: [] }));
    await fc.assert(
      fc.asyncProperty(status, async (s) => {
        await probe(`mutation($s: JSON!) { updatePodStatus(namespace: "default", name: "target", status: $s) { metadata { name } } }`, { s });
      }),
      RUNS,
    );
  });
});
