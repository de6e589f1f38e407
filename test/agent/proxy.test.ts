/**
 * The proxy role of the agents process: Services and Endpoints (the test plays the endpoints
 * controller) become the routing table a node would program, visible at GET /routes, kept within a
 * second of each change; GET /pick hands out endpoints round robin.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents } from '../support/processes.js';

const NS = 'proxy';
let api: TestApi;
let debugUrl: string;
let clusterIP: string;

const routes = async () => (await fetch(`${debugUrl}/routes`)).json() as Promise<Record<string, { service: string; portName: string; endpoints: string[] }>>;
const pick = async (to: string, protocol = 'TCP') => {
  const res = await fetch(`${debugUrl}/pick?to=${to}&protocol=${protocol}`);
  return { status: res.status, body: (await res.json()) as { endpoint?: string } };
};
const setEndpoints = (subsets: unknown[]) =>
  api.ok(`mutation($i: EndpointsInput!) { apply: updateEndpoints(input: $i) { metadata { name } } }`, { i: { metadata: { name: 'web', namespace: NS }, subsets } });

/** Waits for the table to show `expected` for the service's routes, and says how long it took. */
async function converged(expected: Record<string, string[]>): Promise<number> {
  const started = Date.now();
  let last = {};
  await eventually(async () => {
    const table = (last = await routes());
    return Object.entries(expected).every(([k, v]) => JSON.stringify(table[k]?.endpoints) === JSON.stringify(v));
  }, 5000, () => JSON.stringify(last));
  return Date.now() - started;
}

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
  const agents = startComponent('agent/main.ts', ['--server', api.server.url, '--nodes', '1', '--prefix', 'px-', '--debug-port', '0']);
  await eventually(() => agents.output().includes('all 1 nodes registered'), 20_000, () => agents.output());
  debugUrl = agents.output().match(/debug (http:\/\/\S+)\/routes/)![1];
  const { createService } = await api.ok(`mutation($i: ServiceInput!) { createService(input: $i) { spec { clusterIP } } }`, {
    i: {
      metadata: { name: 'web', namespace: NS },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }] },
    },
  });
  clusterIP = createService.spec.clusterIP;
  await api.ok(`mutation($i: EndpointsInput!) { createEndpoints(input: $i) { metadata { name } } }`, {
    i: {
      metadata: { name: 'web', namespace: NS },
      subsets: [
        {
          addresses: [{ ip: '10.128.0.2' }, { ip: '10.128.1.2' }],
          notReadyAddresses: [{ ip: '10.128.2.9' }],
          ports: [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' }],
        },
      ],
    },
  });
});

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

it('programs ClusterIP:port/protocol → ready endpoints, ports matched by name and protocol', async () => {
  await converged({ [`${clusterIP}:80/TCP`]: ['10.128.0.2:8080', '10.128.1.2:8080'], [`${clusterIP}:53/UDP`]: ['10.128.0.2:5353', '10.128.1.2:5353'] });
  const table = await routes();
  expect(table[`${clusterIP}:80/TCP`]).toEqual({ service: `${NS}/web`, portName: 'http', endpoints: ['10.128.0.2:8080', '10.128.1.2:8080'] });
  // Not-ready addresses get no traffic.
  expect(JSON.stringify(table)).not.toContain('10.128.2.9');
});

it('chooses endpoints round robin', async () => {
  const picks = [];
  for (let i = 0; i < 4; i++) picks.push((await pick(`${clusterIP}:80`)).body.endpoint);
  expect(new Set(picks)).toEqual(new Set(['10.128.0.2:8080', '10.128.1.2:8080']));
  expect(picks[0]).not.toBe(picks[1]);
  expect(picks[0]).toBe(picks[2]);
  expect(picks[1]).toBe(picks[3]);
  expect((await pick(`${clusterIP}:53`, 'UDP')).status).toBe(200);
  expect((await pick(`${clusterIP}:81`)).status).toBe(503);
});

it("routes a NodePort Service's nodePort on any node address to the same endpoints as its ClusterIP", async () => {
  await api.ok(`mutation($i: ServiceInput!) { createService(input: $i) { metadata { name } } }`, {
    i: { metadata: { name: 'edge', namespace: NS }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, nodePort: 30080 }] } },
  });
  await api.ok(`mutation($i: EndpointsInput!) { createEndpoints(input: $i) { metadata { name } } }`, {
    i: { metadata: { name: 'edge', namespace: NS }, subsets: [{ addresses: [{ ip: '10.128.0.5' }], ports: [{ name: 'http', port: 8080 }] }] },
  });
  await converged({ '0.0.0.0:30080/TCP': ['10.128.0.5:8080'] });
  expect((await routes())['0.0.0.0:30080/TCP'].service).toBe(`${NS}/edge`);
  expect((await pick('192.168.0.10:30080')).body.endpoint).toBe('10.128.0.5:8080');
  expect((await pick('192.168.0.10:30081')).status).toBe(503);
  await api.ok(`mutation { deleteService(namespace: "${NS}", name: "edge") { metadata { name } } }`);
  await eventually(async () => !('0.0.0.0:30080/TCP' in (await routes())), 5000);
});

it('converges within a second of an Endpoints change, and drops the routes of a deleted Service', async () => {
  await setEndpoints([{ addresses: [{ ip: '10.128.1.2' }, { ip: '10.128.3.7' }], ports: [{ name: 'http', port: 8080 }] }]);
  expect(await converged({ [`${clusterIP}:80/TCP`]: ['10.128.1.2:8080', '10.128.3.7:8080'], [`${clusterIP}:53/UDP`]: [] })).toBeLessThan(1000);
  expect((await pick(`${clusterIP}:53`, 'UDP')).status).toBe(503);
  await setEndpoints([]);
  expect(await converged({ [`${clusterIP}:80/TCP`]: [] })).toBeLessThan(1000);
  await api.ok(`mutation { deleteService(namespace: "${NS}", name: "web") { metadata { name } } }`);
  // Only the kubernetes Service's route (it has no Endpoints) is left.
  await eventually(async () => Object.values(await routes()).every((r: any) => !r.service.startsWith(`${NS}/`)), 1000);
});
