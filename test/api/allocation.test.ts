import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let small: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  small = await startTestApi({ ranges: { serviceClusterIpRange: '10.96.0.0/29' } }); // 6 usable addresses, the first the kubernetes Service's
});
afterAll(async () => {
  await api.close();
  await small.close();
});

const CREATE = `mutation($i: ServiceInput!) { createService(input: $i) { spec { clusterIP } } }`;
const svc = (name: string, clusterIP?: string) => ({ metadata: { name }, spec: { clusterIP, selector: { app: name }, ports: [{ port: 80 }] } });

describe('ClusterIP allocation', () => {
  it('1,000 services created concurrently get 1,000 distinct addresses, each in its ADDED event', async () => {
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => api.ok(CREATE, { i: svc(`s${i}`) })));
    const ips = results.map((r) => r.createService.spec.clusterIP as string);
    expect(new Set(ips).size).toBe(1000);
    for (const ip of ips) expect(ip).toMatch(/^10\.96\.\d{1,3}\.\d{1,3}$/);
    const added = api.db().prepare(`SELECT json_extract(object, '$.spec.clusterIP') AS ip FROM events WHERE kind = 'Service' AND type = 'ADDED' AND name != 'kubernetes'`).all() as Array<{ ip: string }>;
    expect(new Set(added.map((a) => a.ip))).toEqual(new Set(ips));
  }, 120_000); // 1,000 writes through one server: a functional deadline, generous for a loaded machine (it once timed out at 30 s)

  it('an address in use is refused; a deleted service frees its address for the next', async () => {
    // An address none of the 1,000 random allocations took.
    const held = new Set(api.db().prepare(`SELECT value FROM allocations WHERE pool = 'service-cluster-ip'`).pluck().all() as string[]);
    let last = 7;
    while (held.has(`10.96.200.${last}`)) last++;
    const ip = `10.96.200.${last}`;
    const first = await api.ok(CREATE, { i: svc('pinned', ip) });
    expect(first.createService.spec.clusterIP).toBe(ip);
    const taken = await api.gql(CREATE, { i: svc('again', ip) });
    expect(taken.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.spec.clusterIP' });
    await api.ok(`mutation { deleteService(namespace: "default", name: "pinned") { metadata { name } } }`);
    expect((await api.ok(CREATE, { i: svc('again', ip) })).createService.spec.clusterIP).toBe(ip);
  });

  it('a full range says so, and the address of a deleted service is handed out again', async () => {
    const ips = [];
    for (let i = 0; i < 5; i++) ips.push((await small.ok(CREATE, { i: svc(`f${i}`) })).createService.spec.clusterIP);
    expect(new Set(ips).size).toBe(5);
    expect(ips).not.toContain('10.96.0.1');
    const full = await small.gql(CREATE, { i: svc('f6') });
    expect(full.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.spec.clusterIP' });
    await small.ok(`mutation { deleteService(namespace: "default", name: "f2") { metadata { name } } }`);
    expect((await small.ok(CREATE, { i: svc('f6') })).createService.spec.clusterIP).toBe(ips[2]);
  });
});
