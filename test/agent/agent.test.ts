/**
 * Simulated node agents as their own process against a real API server; the test plays the
 * scheduler (bindPod) and the users. Registration, heartbeat, running and finishing pods, deletion
 * after the (shortened) grace period, re-adoption after a restart, and Ready re-asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PodIpPool } from '../../server/agent/pod-ip-pool.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

const NS = 'agent';
const ARGS = ['--nodes', '2', '--prefix', 'ag-', '--cpu', '2', '--memory', '4Gi', '--pods', '20', '--zones', '2', '--lease-interval-ms', '300', '--deletion-grace-ms', '500', '--debug-port', '0'];
let api: TestApi;
let agents: Component;
let debugUrl: string;

const startAgents = async () => {
  const c = startComponent('agent/main.ts', ['--server', api.server.url, ...ARGS]);
  await eventually(() => c.output().includes('all 2 nodes registered'), 20_000, () => c.output());
  debugUrl = c.output().match(/debug (http:\/\/\S+)\/routes/)![1];
  return c;
};

const node = async (name: string) => (await api.ok(`query($n: String!) { node(name: $n) { manifest } }`, { n: name })).node?.manifest;
const pod = async (name: string) => (await api.ok(`query($n: String!) { pod(namespace: "${NS}", name: $n) { manifest } }`, { n: name })).pod?.manifest ?? null;
const lease = async (name: string) => (await api.ok(`query($n: String!) { lease(namespace: "kube-node-lease", name: $n) { manifest } }`, { n: name })).lease?.manifest;
const condition = (o: any, type: string) => o?.status?.conditions?.find((c: any) => c.type === type);
/** Addresses each node's pool holds (the agents' debug view). */
const heldIps = async () => Object.fromEntries(((await (await fetch(`${debugUrl}/nodes`)).json()) as any[]).map((n) => [n.name, n.podIPs]));
const head = () => (api.db().prepare('SELECT max(revision) AS r FROM events').get() as { r: number }).r;

async function runPod(name: string, nodeName: string, extra: { annotations?: Record<string, string>; restartPolicy?: string } = {}) {
  await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
    i: {
      metadata: { name, namespace: NS, annotations: extra.annotations },
      spec: { restartPolicy: extra.restartPolicy, containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'side', image: 'busybox:1.36' }] },
    },
  });
  await api.ok(`mutation($n: String!, $node: String!) { bindPod(namespace: "${NS}", name: $n, nodeName: $node) { metadata { name } } }`, { n: name, node: nodeName });
}

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
  agents = await startAgents();
});

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

describe('registration and heartbeat', () => {
  it('registers each Node with labels, capacity and allocatable, Ready, an InternalIP and the podCIDR the API server assigned', async () => {
    const [n0, n1] = [await node('ag-0'), await node('ag-1')];
    expect(n0.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'ag-0', 'topology.kubernetes.io/zone': 'zone-0' });
    expect(n1.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'ag-1', 'topology.kubernetes.io/zone': 'zone-1' });
    for (const n of [n0, n1]) {
      expect(n.status.capacity).toMatchObject({ cpu: '2', memory: '4Gi', pods: '20' });
      expect(n.status.allocatable).toMatchObject({ cpu: '2', memory: '4Gi', pods: '20' });
      expect(condition(n, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
      expect(n.spec.podCIDR).toMatch(/^10\.(12[89]|1[3-9]\d|2[0-5]\d)\.\d+\.0\/24$/);
    }
    expect(n0.spec.podCIDR).not.toBe(n1.spec.podCIDR);
    const ips = [n0, n1].map((n) => n.status.addresses.find((a: any) => a.type === 'InternalIP').address);
    expect(new Set(ips).size).toBe(2);
  });

  it('renews its Lease in kube-node-lease', async () => {
    const first = await lease('ag-0');
    expect(first.spec).toMatchObject({ holderIdentity: 'ag-0', leaseDurationSeconds: 40 });
    expect(first.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Node', name: 'ag-0', uid: (await node('ag-0')).metadata.uid })]);
    await eventually(async () => (await lease('ag-0')).spec.renewTime !== first.spec.renewTime, 5000);
    const renewals = api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Lease' AND name = 'ag-0' AND verb = 'update'`).get() as { n: number };
    expect(renewals.n).toBeGreaterThanOrEqual(1);
  });
});

describe('pods', () => {
  it('takes a bound pod to Running: an IP from its podCIDR, hostIP, startTime, running containers, Ready', async () => {
    await runPod('web-1', 'ag-0');
    await runPod('web-2', 'ag-0');
    const running = await eventually(async () => {
      const p = await pod('web-1');
      return p?.status.phase === 'Running' ? p : undefined;
    });
    const n0 = await node('ag-0');
    expect(new PodIpPool(n0.spec.podCIDR).contains(running.status.podIP)).toBe(true);
    expect(running.status.podIPs).toEqual([{ ip: running.status.podIP }]);
    expect(running.status.hostIP).toBe(n0.status.addresses.find((a: any) => a.type === 'InternalIP').address);
    expect(Date.parse(running.status.startTime)).toBeGreaterThan(0);
    for (const type of ['PodScheduled', 'Initialized', 'Ready', 'ContainersReady']) expect(condition(running, type)?.status).toBe('True');
    expect(running.status.containerStatuses).toEqual([
      expect.objectContaining({ name: 'app', ready: true, started: true, restartCount: 0, image: 'nginx:1.27', state: { running: { startedAt: running.status.startTime } } }),
      expect.objectContaining({ name: 'side', ready: true, image: 'busybox:1.36' }),
    ]);
    const other = await eventually(async () => (await pod('web-2'))?.status.podIP);
    expect(other).not.toBe(running.status.podIP);
  });

  it('finishes pods that ask to (restartPolicy Never/OnFailure with the annotation): Succeeded or Failed with the exit code', async () => {
    await runPod('job-ok', 'ag-1', { restartPolicy: 'Never', annotations: { 'kubeql.dev/complete-after-seconds': '0.5' } });
    await runPod('job-fail', 'ag-1', { restartPolicy: 'OnFailure', annotations: { 'kubeql.dev/complete-after-seconds': '0.5', 'kubeql.dev/exit-code': '3' } });
    await runPod('service-like', 'ag-1', { annotations: { 'kubeql.dev/complete-after-seconds': '0.5' } }); // restartPolicy Always: runs on
    const ok = await eventually(async () => ((await pod('job-ok'))?.status.phase === 'Succeeded' ? pod('job-ok') : undefined));
    expect(ok.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(condition(ok, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    const failed = await eventually(async () => ((await pod('job-fail'))?.status.phase === 'Failed' ? pod('job-fail') : undefined));
    expect(failed.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    // Ran for at least the time asked.
    expect(Date.parse(failed.status.containerStatuses[0].state.terminated.finishedAt) - Date.parse(failed.status.startTime)).toBeGreaterThanOrEqual(0);
    await new Promise((r) => setTimeout(r, 700));
    expect((await pod('service-like')).status.phase).toBe('Running');
    // Finished pods give their addresses back; the running one keeps its own.
    expect((await heldIps())['ag-1']).toBe(1);
  });

  it('removes a deleted pod for good after min(grace period, 500 ms here), and frees its IP', async () => {
    const before = await pod('web-2');
    const { deletePod } = await api.ok(`mutation { deletePod(namespace: "${NS}", name: "web-2") { metadata { deletionTimestamp deletionGracePeriodSeconds } } }`);
    expect(deletePod.metadata.deletionGracePeriodSeconds).toBe(30);
    await eventually(async () => (await pod('web-2')) === null, 5000);
    const rows = api.db().prepare(`SELECT type, ts, actor FROM events WHERE kind = 'Pod' AND name = 'web-2' AND verb = 'delete' ORDER BY revision`).all() as Array<{ type: string; ts: number }>;
    expect(rows.map((r) => r.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(rows[1].ts - rows[0].ts).toBeGreaterThanOrEqual(450);
    expect(rows[1].ts - rows[0].ts).toBeLessThan(3000);
    // The node's pool no longer holds its address.
    expect(before.status.podIP).toBeTruthy();
    await eventually(async () => (await heldIps())['ag-0'] === 1, 3000);
    await runPod('filler', 'ag-0');
    await eventually(async () => (await heldIps())['ag-0'] === 2, 3000);
  });

  it('a node marked not Ready while its agent runs is reported Ready again', async () => {
    const n1 = await node('ag-1');
    const status = { ...n1.status, conditions: n1.status.conditions.map((c: any) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c)) };
    await api.ok(`mutation($s: JSON!) { updateNodeStatus(name: "ag-1", status: $s) { metadata { name } } }`, { s: status });
    await eventually(async () => condition(await node('ag-1'), 'Ready')?.status === 'True', 5000);
  });
});

describe('restart', () => {
  it('a restarted agent re-adopts its pods without rewriting them, and keeps their IPs taken', async () => {
    await eventually(async () => (await pod('filler'))?.status.phase === 'Running');
    const ipsBefore = await Promise.all(['web-1', 'filler'].map(async (n) => (await pod(n)).status.podIP));
    agents.kill();
    const from = head();
    agents = await startAgents();
    await new Promise((r) => setTimeout(r, 1000));
    const changes = api.db().prepare(`SELECT kind, name, verb FROM events WHERE revision > ? AND kind IN ('Pod', 'Node')`).all(from);
    expect(changes).toEqual([]);
    // A new pod gets an address none of the adopted pods has.
    await runPod('after-restart', 'ag-0');
    const ip = await eventually(async () => (await pod('after-restart'))?.status.podIP);
    expect(ipsBefore).not.toContain(ip);
    expect((await Promise.all(['web-1', 'filler'].map(async (n) => (await pod(n)).status.podIP)))).toEqual(ipsBefore);
  });
});
afterAll(() => {
  if (process.env.SHOW_OUTPUT) console.log(agents.output());
});
