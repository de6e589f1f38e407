import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { NODEPORT_SERVICE } from '../support/manifests.js';

let api: TestApi;
let small: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  small = await startTestApi({ ranges: { serviceNodePortRange: '30000-30004' } });
});
afterAll(async () => {
  await api.close();
  await small.close();
});

const APPLY = `mutation($m: String!) { apply(manifests: $m) { objects { kind name action } } }`;
const CREATE = `mutation($i: ServiceInput!) { createService(input: $i) { metadata { name } spec { type ports { name port nodePort } } } }`;
const READ = `query($n: String!) { service(namespace: "default", name: $n) { spec { type clusterIP externalTrafficPolicy ports { name port targetPort nodePort } } } }`;
const svc = (name: string, type: string, ports: Array<Record<string, unknown>> = [{ port: 80 }]) => ({ metadata: { name }, spec: { type, selector: { app: name }, ports } });
const held = (t: TestApi) => (t.db().prepare(`SELECT value FROM allocations WHERE pool = 'service-node-port' ORDER BY value`).pluck().all() as string[]).map(Number);

async function rejected(t: TestApi, document: string, variables: Record<string, unknown>) {
  const before = snapshotTables(t.db());
  const res = await t.gql(document, variables);
  expect(res.errors?.length, JSON.stringify(res)).toBeGreaterThan(0);
  expect(snapshotTables(t.db())).toBe(before);
  return res.errors![0];
}

describe('NodePort allocation', () => {
  it("the documentation's NodePort Service applies unchanged and holds its explicit nodePort 30007", async () => {
    await api.ok(APPLY, { m: NODEPORT_SERVICE });
    const res = await api.ok(READ, { n: 'my-service' });
    expect(res.service.spec).toMatchObject({ type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, targetPort: 80, nodePort: 30007 }] });
    expect(held(api)).toContain(30007);
    // A re-apply keeps it and writes nothing.
    expect((await api.ok(APPLY, { m: NODEPORT_SERVICE })).apply.objects[0].action).toBe('unchanged');
  });

  it('a taken nodePort, one outside the range, and a nodePort on a ClusterIP Service are refused naming the field', async () => {
    let e = await rejected(api, CREATE, { i: svc('taken', 'NodePort', [{ port: 80, nodePort: 30007 }]) });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.spec.ports[0].nodePort' });
    expect(e.message).toContain('provided port is already allocated');
    e = await rejected(api, CREATE, { i: svc('outside', 'NodePort', [{ port: 80, nodePort: 29999 }]) });
    expect(e.message).toContain('provided port is not in the valid range. The range of valid ports is 30000-32767');
    e = await rejected(api, CREATE, { i: svc('stray', 'ClusterIP', [{ port: 80, nodePort: 30100 }]) });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.spec.ports[0].nodePort' });
    expect(e.message).toContain("may not be used when `type` is 'ClusterIP'");
    e = await rejected(api, CREATE, { i: svc('twice', 'NodePort', [{ name: 'a', port: 80, nodePort: 30101 }, { name: 'b', port: 81, nodePort: 30101 }]) });
    expect(e.message).toContain('Duplicate value: 30101');
  });

  it('ports without a nodePort get distinct ones from the range; TCP and UDP may share one', async () => {
    const res = await api.ok(CREATE, { i: svc('dns', 'NodePort', [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', nodePort: 30053 }, { name: 'metrics', port: 9153 }]) });
    const ports = res.createService.spec.ports.map((p: any) => p.nodePort);
    expect(ports.slice(0, 2)).toEqual([30053, 30053]);
    expect(ports[2]).toBeGreaterThanOrEqual(30000);
    expect(ports[2]).toBeLessThanOrEqual(32767);
    expect(ports[2]).not.toBe(30053);
  });

  it('300 Services with two ports each, created concurrently, hold 600 distinct nodePorts; 20 racing for one port: exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => api.ok(CREATE, { i: svc(`c${i}`, i % 2 ? 'LoadBalancer' : 'NodePort', [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]) })));
    const ports = results.flatMap((r) => r.createService.spec.ports.map((p: any) => p.nodePort as number));
    expect(ports).toHaveLength(600);
    expect(new Set(ports).size).toBe(600);
    // A port none of them was given at random.
    let contested = 32000;
    while (held(api).includes(contested)) contested++;
    const race = await Promise.all(Array.from({ length: 20 }, (_, i) => api.gql(CREATE, { i: svc(`race${i}`, 'NodePort', [{ port: 80, nodePort: contested }]) })));
    expect(race.filter((r) => !r.errors).length).toBe(1);
    expect(race.filter((r) => r.errors?.[0].extensions?.code === 'BAD_USER_INPUT').length).toBe(19);
    const all = held(api);
    expect(new Set(all).size).toBe(all.length);
  });

  it('a deleted Service frees its nodePorts; turning a Service into ClusterIP frees them, into NodePort allocates', async () => {
    await api.ok(`mutation { deleteService(namespace: "default", name: "my-service") { metadata { name } } }`);
    expect(held(api)).not.toContain(30007);
    await api.ok(CREATE, { i: svc('reuse', 'NodePort', [{ port: 80, nodePort: 30007 }]) });
    await api.ok(`mutation { patchService(namespace: "default", name: "reuse", patch: { spec: { type: "ClusterIP" } }) { metadata { name } } }`);
    expect((await api.ok(READ, { n: 'reuse' })).service.spec.ports[0].nodePort).toBeNull();
    expect(held(api)).not.toContain(30007);
    await api.ok(`mutation { patchService(namespace: "default", name: "reuse", patch: { spec: { type: "NodePort" } }) { metadata { name } } }`);
    const port = (await api.ok(READ, { n: 'reuse' })).service.spec.ports[0].nodePort;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(held(api)).toContain(port);
    // An update that leaves nodePort out keeps the one the port held (matched by name).
    await api.ok(`mutation { patchService(namespace: "default", name: "reuse", patch: { spec: { ports: [{ port: 8080 }] } }) { metadata { name } } }`);
    expect((await api.ok(READ, { n: 'reuse' })).service.spec.ports[0]).toMatchObject({ port: 8080, nodePort: port });
  });

  it('a full range says so, and a freed port is handed out again', async () => {
    for (let i = 0; i < 5; i++) await small.ok(CREATE, { i: svc(`f${i}`, 'NodePort') });
    expect(held(small)).toEqual([30000, 30001, 30002, 30003, 30004]);
    const e = await rejected(small, CREATE, { i: svc('f5', 'NodePort') });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.spec.ports[0].nodePort' });
    expect(e.message).toContain('range is full');
    const f2 = (await small.ok(READ, { n: 'f2' })).service.spec.ports[0].nodePort;
    await small.ok(`mutation { deleteService(namespace: "default", name: "f2") { metadata { name } } }`);
    expect((await small.ok(CREATE, { i: svc('f5', 'NodePort') })).createService.spec.ports[0].nodePort).toBe(f2);
  });
});
