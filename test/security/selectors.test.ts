/**
 * No selector blocks the event loop: the largest selectors allowed answer quickly while a probe
 * runs beside them, and larger ones are INVALID_SELECTOR (not an internal error) on lists, watches
 * and in objects, for label and field selectors alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SELECTOR_LENGTH, MAX_SELECTOR_TERMS, MAX_SELECTOR_VALUES } from '../../server/resources/selectors/selector-limits.js';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

const PODS = 1500;
/** Generous: the same requests took 5 to 17 s each before label requirements left SQL. */
const DEADLINE_MS = 3000;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  for (let i = 0; i < PODS; i += 100)
    await Promise.all(Array.from({ length: 100 }, (_, j) => api.ok(CREATE_POD, { i: POD(`p${i + j}`, { labels: { app: `a${(i + j) % 10}`, tier: `t${(i + j) % 3}` } }) })));
}, 120_000);
afterAll(() => api.close());

const LIST = 'query($s: String, $f: String) { pods(labelSelector: $s, fieldSelector: $f, first: 1000) { edges { node { metadata { name } } } } }';
const terms = (n: number, term: (i: number) => string) => Array.from({ length: n }, (_, i) => term(i)).join(',');

/** Runs `request` with a probe (`{ revision }`) sent just after it; resolves with how long each took. */
async function besideProbe<T>(request: () => Promise<T>): Promise<{ result: T; requestMs: number; probeMs: number }> {
  const started = performance.now();
  const big = request().then((result) => ({ result, ms: performance.now() - started }));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const probeStarted = performance.now();
  await api.ok('{ revision }');
  const probeMs = performance.now() - probeStarted;
  const { result, ms } = await big;
  return { result, requestMs: ms, probeMs };
}

describe('the largest selectors allowed stay cheap', () => {
  it.each([
    ['only negative terms', terms(MAX_SELECTOR_TERMS, (i) => `k${i}!=v${i}`), PODS],
    ['an equality driving the index, then negative terms', `app=a1,${terms(MAX_SELECTOR_TERMS - 1, (i) => `k${i}!=v${i}`)}`, PODS / 10],
    ['only set terms, none matching', terms(MAX_SELECTOR_TERMS, (i) => `k${i} in (v${i})`), 0],
    ['sets of the largest size', `app in (${terms(MAX_SELECTOR_VALUES, (i) => `a${i}`)}),${terms(19, (i) => `k${i} notin (${terms(MAX_SELECTOR_VALUES, (j) => `v${j}`)})`)}`, PODS],
  ])('%s: answered, and a probe beside it, within the deadline', async (_what, selector, matches) => {
    expect(selector.length).toBeLessThanOrEqual(MAX_SELECTOR_LENGTH);
    const { result, requestMs, probeMs } = await besideProbe(() => api.gql(LIST, { s: selector }));
    expect(result.errors).toBeUndefined();
    expect(result.data.pods.edges.length).toBe(Math.min(matches, 1000));
    expect(requestMs).toBeLessThan(DEADLINE_MS);
    expect(probeMs).toBeLessThan(DEADLINE_MS);
  });

  it('a watch with the largest selector starts, and matches new objects, within the deadline', async () => {
    const conn = await rawConnect(api.server.url);
    await conn.init();
    const selector = `app=a1,${terms(MAX_SELECTOR_TERMS - 1, (i) => `k${i}!=v${i}`)}`;
    const { probeMs } = await besideProbe(async () => {
      conn.subscribe('w', 'subscription($s: String) { watch(kind: Pod, labelSelector: $s) { type object { ... on Pod { metadata { name } } } } }', { s: selector });
      await conn.waitFor(() => conn.of('w').some((m) => m.payload?.data?.watch?.type === 'BOOKMARK'), DEADLINE_MS);
    });
    expect(probeMs).toBeLessThan(DEADLINE_MS);
    expect(conn.of('w').filter((m) => m.payload?.data?.watch?.type === 'ADDED')).toHaveLength(PODS / 10);
    await api.ok(CREATE_POD, { i: POD('watched', { labels: { app: 'a1' } }) });
    await conn.waitFor(() => conn.of('w').some((m) => m.payload?.data?.watch?.object?.metadata?.name === 'watched'));
    conn.close();
  });
});

describe('larger selectors are INVALID_SELECTOR', () => {
  const tooLarge: Array<[string, { s?: string; f?: string }]> = [
    [`${MAX_SELECTOR_TERMS + 1} label terms`, { s: terms(MAX_SELECTOR_TERMS + 1, (i) => `k${i}!=v${i}`) }],
    ['1,100 label terms', { s: terms(1100, (i) => `k${i} in (v${i})`) }],
    [`a set of ${MAX_SELECTOR_VALUES + 1} values`, { s: `app in (${terms(MAX_SELECTOR_VALUES + 1, (i) => `a${i}`)})` }],
    ['a label selector over the length limit', { s: `app=${'a'.repeat(MAX_SELECTOR_LENGTH)}` }],
    [`${MAX_SELECTOR_TERMS + 1} field terms`, { f: terms(MAX_SELECTOR_TERMS + 1, (i) => `metadata.name!=n${i}`) }],
    ['1,100 field terms', { f: terms(1100, (i) => `metadata.name!=n${i}`) }],
    ['a field selector over the length limit', { f: `metadata.name=${'n'.repeat(MAX_SELECTOR_LENGTH)}` }],
  ];

  it.each(tooLarge)('%s, on a list and on a watch', async (_what, { s, f }) => {
    const res = await api.gql(LIST, { s, f });
    expect(res.errors?.[0].extensions?.code).toBe('INVALID_SELECTOR');
    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.subscribe('w', 'subscription($s: String, $f: String) { watch(kind: Pod, labelSelector: $s, fieldSelector: $f) { type } }', { s, f });
    await conn.waitFor(() => conn.of('w').length > 0);
    expect(conn.of('w')[0].type).toBe('error');
    expect(conn.of('w')[0].payload[0].extensions.code).toBe('INVALID_SELECTOR');
    conn.close();
  });

  it('a Deployment whose selector has too many requirements, or too many values, is BAD_USER_INPUT and not stored', async () => {
    const before = snapshotTables(api.db());
    const deployment = (selector: Record<string, unknown>) => ({
      metadata: { name: 'many-terms' },
      spec: { replicas: 1, selector, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'b' }] } } },
    });
    const CREATE = 'mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { name } } }';
    const manyExpressions = { matchLabels: { app: 'x' }, matchExpressions: Array.from({ length: MAX_SELECTOR_TERMS }, (_, i) => ({ key: `k${i}`, operator: 'DoesNotExist' })) };
    const manyValues = { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'k', operator: 'NotIn', values: Array.from({ length: MAX_SELECTOR_VALUES + 1 }, (_, i) => `v${i}`) }] };
    for (const selector of [manyExpressions, manyValues]) {
      const res = await api.gql(CREATE, { i: deployment(selector) });
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].message).toMatch(/spec\.selector.*Too many/);
    }
    expect(snapshotTables(api.db())).toBe(before);
  });
});
