import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { ClientError } from '../../server/client/client-error.js';
import { createDocumentBatcher, createMutationBatcher } from '../../server/client/mutation-batcher.js';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let client: KubeqlClient;
let documents: string[];

beforeAll(async () => {
  api = await startTestApi();
  const real = createKubeqlClient({ server: api.server.url, token: api.token });
  documents = [];
  // The real client, counting the documents it sends.
  client = { ...real, request: (query, variables) => (documents.push(query), real.request(query, variables)) };
  for (const name of ['b1', 'b2', 'b3', 'b4']) await api.ok(CREATE_POD, { i: POD(name, { namespace: 'default' }) });
});

afterAll(async () => {
  await client.close();
  await api.close();
});

const bind = () => createMutationBatcher(client, 'bindPod', { namespace: 'String!', name: 'String!', nodeName: 'String!' }, 'metadata { name }');

it('sends calls made together as one document; each call succeeds or fails on its own', async () => {
  await api.ok(`mutation { bindPod(namespace: "default", name: "b2", nodeName: "elsewhere") { metadata { name } } }`);
  const batcher = bind();
  documents.length = 0;
  const results = await Promise.allSettled(['b1', 'b2', 'b3'].map((name) => batcher.call({ namespace: 'default', name, nodeName: 'n1' })));
  // One document; b3 goes again in a second one, since b2's error ended the first before b3 ran.
  expect(documents).toHaveLength(2);
  expect(documents[0]).toMatch(/m0: bindPod\(.*m1: bindPod\(.*m2: bindPod\(/);
  expect(documents[1]).not.toMatch(/m1:/);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  const error = (results[1] as PromiseRejectedResult).reason;
  expect(error).toBeInstanceOf(ClientError);
  expect(error.code).toBe('CONFLICT');
  const nodes = await api.ok(`{ pods(namespace: "default") { edges { node { metadata { name } spec { nodeName } } } } }`);
  expect(Object.fromEntries(nodes.pods.edges.map((e: any) => [e.node.metadata.name, e.node.spec.nodeName]))).toEqual({ b1: 'n1', b2: 'elsewhere', b3: 'n1', b4: null });
});

it('a document the server refuses as a whole fails every call in it', async () => {
  const batcher = createMutationBatcher(client, 'bindPod', { namespace: 'String!', name: 'String!', nodeName: 'Int!' }, 'metadata { name }');
  const results = await Promise.allSettled(['b4', 'b4'].map((name) => batcher.call({ namespace: 'default', name, nodeName: 1 })));
  expect(results.every((r) => r.status === 'rejected')).toBe(true);
  expect((await api.ok(`{ pod(namespace: "default", name: "b4") { spec { nodeName } } }`)).pod.spec.nodeName).toBeNull();
});

it('keeps at most maxBatch calls per document and maxInFlight documents at once', async () => {
  for (let i = 0; i < 7; i++) await api.ok(CREATE_POD, { i: POD(`c${i}`, { namespace: 'default' }) });
  const batcher = createMutationBatcher(client, 'bindPod', { namespace: 'String!', name: 'String!', nodeName: 'String!' }, 'metadata { name }', { maxBatch: 3, maxInFlight: 1 });
  documents.length = 0;
  await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.call({ namespace: 'default', name: `c${i}`, nodeName: 'n2' })));
  expect(documents.map((d) => (d.match(/bindPod\(/g) ?? []).length)).toEqual([3, 3, 1]);
  expect(batcher.pending()).toBe(0);
});

it('a failed call ends its document on the server: the calls after it are sent again and succeed', async () => {
  for (let i = 0; i < 5; i++) await api.ok(CREATE_POD, { i: POD(`d${i}`, { namespace: 'default' }) });
  await api.ok(`mutation { bindPod(namespace: "default", name: "d1", nodeName: "taken") { metadata { name } } }`);
  await api.ok(`mutation { bindPod(namespace: "default", name: "d3", nodeName: "taken") { metadata { name } } }`);
  const batcher = bind();
  documents.length = 0;
  const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => batcher.call({ namespace: 'default', name: `d${i}`, nodeName: 'n3' })));
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
  expect(documents.map((d) => (d.match(/bindPod\(/g) ?? []).length)).toEqual([5, 3, 1]);
  const data = await api.ok(`{ pods(namespace: "default", fieldSelector: "spec.nodeName=n3") { edges { node { metadata { name } } } } }`);
  expect(data.pods.edges.map((e: any) => e.node.metadata.name).sort()).toEqual(['d0', 'd2', 'd4']);
});

it('shares documents between the fields of one document batcher: each field in its place, each call on its own', async () => {
  for (let i = 0; i < 3; i++) await api.ok(CREATE_POD, { i: POD(`e${i}`, { namespace: 'default' }) });
  await api.ok(`mutation { bindPod(namespace: "default", name: "e1", nodeName: "taken") { metadata { name } } }`);
  const shared = createDocumentBatcher(client);
  const binds = shared.mutation('bindPod', { namespace: 'String!', name: 'String!', nodeName: 'String!' }, 'metadata { name }');
  const namespaces = shared.mutation('createNamespace', { input: 'NamespaceInput!' }, 'metadata { name }');
  documents.length = 0;
  // Made in turn, one of each: the document lists the binds first (the first field made), in their order.
  const results = await Promise.allSettled([
    namespaces.call({ input: { metadata: { name: 'shared-a' } } }),
    binds.call({ namespace: 'default', name: 'e0', nodeName: 'n4' }),
    namespaces.call({ input: { metadata: { name: 'shared-b' } } }),
    binds.call({ namespace: 'default', name: 'e1', nodeName: 'n4' }),
    binds.call({ namespace: 'default', name: 'e2', nodeName: 'n4' }),
  ]);
  const fields = (d: string) => d.match(/\bm\d+: (\w+)\(/g)!.map((f) => f.replace(/^m\d+: |\($/g, ''));
  expect(fields(documents[0])).toEqual(['bindPod', 'bindPod', 'bindPod', 'createNamespace', 'createNamespace']);
  // e1's bind failed (CONFLICT) and ended that document: the calls after it went in the next one.
  expect(documents.slice(1).map(fields)).toEqual([['bindPod', 'createNamespace', 'createNamespace']]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect((results[3] as PromiseRejectedResult).reason.code).toBe('CONFLICT');
  const made = await api.ok(`{ a: namespace(name: "shared-a") { metadata { name } } b: namespace(name: "shared-b") { metadata { name } } e2: pod(namespace: "default", name: "e2") { spec { nodeName } } }`);
  expect([made.a?.metadata.name, made.b?.metadata.name, made.e2.spec.nodeName]).toEqual(['shared-a', 'shared-b', 'n4']);
  expect(binds.pending()).toBe(0);
});

it('gives every user of one field the same place in the documents: their calls keep the order they were made in', async () => {
  for (let i = 0; i < 3; i++) await api.ok(CREATE_POD, { i: POD(`f${i}`, { namespace: 'default' }) });
  const shared = createDocumentBatcher(client);
  const fieldArgs = { namespace: 'String!', name: 'String!', nodeName: 'String!' };
  const first = shared.mutation('bindPod', fieldArgs, 'metadata { name }');
  const namespaces = shared.mutation('createNamespace', { input: 'NamespaceInput!' }, 'metadata { name }');
  const second = shared.mutation('bindPod', fieldArgs, 'metadata { name }');
  documents.length = 0;
  await Promise.all([
    second.call({ namespace: 'default', name: 'f0', nodeName: 'n5' }),
    namespaces.call({ input: { metadata: { name: 'shared-c' } } }),
    first.call({ namespace: 'default', name: 'f1', nodeName: 'n5' }),
    second.call({ namespace: 'default', name: 'f2', nodeName: 'n5' }),
  ]);
  expect(documents).toHaveLength(1);
  const names = [...documents[0].matchAll(/\bm\d+: (\w+)\(/g)].map((m) => m[1]);
  expect(names).toEqual(['bindPod', 'bindPod', 'bindPod', 'createNamespace']);
  const pods = await api.ok(`{ pods(namespace: "default", fieldSelector: "spec.nodeName=n5") { edges { node { metadata { name } } } } }`);
  expect(pods.pods.edges.map((e: any) => e.node.metadata.name).sort()).toEqual(['f0', 'f1', 'f2']);
});
