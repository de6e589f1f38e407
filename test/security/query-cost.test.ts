/**
 * The cost limit counts stored objects, each times the page it sits in: the pages people ask for
 * fit (1,000 pods with name and phase; 500 pods with the columns `kq get pods -o wide` prints), the
 * schema's bound on `first` is what the limit admits, a page size passed as a variable counts as
 * much as a literal one, and fan-out through relations is priced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await api.ok(`mutation { createNode(input: { metadata: { name: "n1" } }) { metadata { name } } }`);
  for (const name of ['a', 'b', 'c'])
    await api.ok(`mutation($n: String!) { createPod(input: { metadata: { name: $n }, spec: { nodeName: "n1", containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`, { n: name });
});
afterAll(() => api.close());

/** What `kq get pods -o wide` shows: NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES. */
const WIDE = `query($first: Int) { pods(first: $first) { revision pageInfo { hasNextPage endCursor } edges { cursor node {
  metadata { name namespace creationTimestamp deletionTimestamp }
  spec { nodeName containers { name } }
  status { phase podIP nominatedNodeName reason containerStatuses { name ready restartCount state } }
  node { metadata { name } }
} } } }`;

const code = async (query: string, variables: Record<string, unknown> = {}) => (await api.gql(query, variables)).errors?.[0].extensions?.code;

describe('the cost limit', () => {
  it('a page of 1,000 pods with name and phase fits (it cost 6,000 of 5,000 before)', async () => {
    const res = await api.gql(`{ pods(first: 1000) { edges { node { metadata { name } status { phase } } } pageInfo { hasNextPage } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.pods.edges).toHaveLength(3);
  });

  it('a page of 500 pods with the columns of kq get pods -o wide, and each pod\'s node, fits', async () => {
    const res = await api.gql(WIDE, { first: 500 });
    expect(res.errors).toBeUndefined();
    expect(res.data.pods.edges[0].node.node.metadata.name).toBe('n1');
  });

  it('the schema bound on first is what the limit admits: 5,000 bare objects fit, 5,001 are refused', async () => {
    expect(await code(`{ pods(first: 5000) { edges { node { metadata { name } status { phase } } } } }`)).toBeUndefined();
    expect(await code(`{ pods(first: 5001) { edges { node { metadata { name } } } } }`)).toMatch(/TOO_COMPLEX|BAD_USER_INPUT/);
    expect(await code(`query($f: Int) { pods(first: $f) { edges { node { metadata { name } } } } }`, { f: 5001 })).toMatch(/TOO_COMPLEX|BAD_USER_INPUT/);
    const sdl = await api.ok(`{ __type(name: "Query") { fields { name description } } }`);
    const pods = sdl.__type.fields.find((f: { name: string }) => f.name === 'pods');
    expect(pods.description).toContain('at most 5000');
  });

  it('a page size given as a variable counts as much as a literal one', async () => {
    // 5,000 pods each with its node: 10,000 objects.
    const res = await api.gql(WIDE, { first: 5000 });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'TOO_COMPLEX', cost: 10_000, maxCost: 5000 });
    expect(await code(WIDE.replace('query($first: Int) ', '').replace('pods(first: $first)', 'pods(first: 5000)'))).toBe('TOO_COMPLEX');
  });

  it('fan-out through relations is priced: 500 nodes with their pods are refused', async () => {
    expect(await code(`{ nodes(first: 500) { edges { node { metadata { name } pods { metadata { name } } } } } }`)).toBe('TOO_COMPLEX');
    expect(await code(`{ nodes(first: 10) { edges { node { metadata { name } pods { metadata { name } } } } } }`)).toBeUndefined();
  });

  it('lists without first count as their default page (500), fragments and aliases included', async () => {
    const many = Array.from({ length: 11 }, (_, i) => `p${i}: pods { ...P }`).join(' ');
    expect(await code(`{ ${many} } fragment P on PodConnection { edges { node { metadata { name } } } }`)).toBe('TOO_COMPLEX');
    expect(await code(`{ p0: pods { ...P } p1: pods { ...P } } fragment P on PodConnection { edges { node { metadata { name } } } }`)).toBeUndefined();
  });

  it('holds on the WebSocket too', async () => {
    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.subscribe('q', `{ nodes(first: 500) { edges { node { pods { metadata { name } } } } } }`);
    await conn.waitFor(() => conn.of('q').length > 0);
    const first = conn.of('q')[0];
    expect(JSON.stringify(first.payload)).toContain('TOO_COMPLEX');
    conn.close();
  });
});
