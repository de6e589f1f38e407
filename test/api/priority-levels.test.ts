/**
 * Heartbeats have a priority level of their own (after Kubernetes' API Priority and Fairness): under
 * a storm of writes from another identity that fills the workload level's seats and queue, a node's
 * Lease renewals keep landing within the node-monitor grace period; and the level is bounded, so a
 * node cannot use it for more than its heartbeat.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHeartbeatRoute } from '../../server/api/http/priority-levels.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually } from '../support/processes.js';

/** The node-lifecycle controller's grace period used by the tests of the plane (the default is 40 s). */
const GRACE_MS = 5000;
const RENEW = `mutation($n: String!, $p: JSON!) { patchLease(namespace: "kube-node-lease", name: $n, patch: $p) { metadata { resourceVersion } } }`;

let api: TestApi;
let nodeToken: string;

beforeAll(async () => {
  // A small workload level, so that the storm below overflows it.
  api = await startTestApi({ priorityLevels: { workload: { seats: 16, queueLength: 200, queueLengthPerFlow: 200 } } });
  nodeToken = (await api.ok(`mutation { createNodeToken(nodeName: "hb") { token } }`)).createNodeToken.token;
  const as = (q: string, v?: Record<string, unknown>) => api.gqlAs(nodeToken, q, v).then((r) => expect(r.errors).toBeUndefined());
  await as(`mutation { createNode(input: { metadata: { name: "hb" } }) { metadata { name } } }`);
  await as(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { name } } }`, {
    i: { metadata: { name: 'hb', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'hb', leaseDurationSeconds: 40, renewTime: new Date().toISOString() } },
  });
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "storm" } }) { metadata { name } } }`);
});
afterAll(async () => {
  await api?.close();
});

/** The node's Lease over the REST API, as the agents (and kubelet) renew it. */
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const rest = (token: string, method: string, path: string, body?: unknown) =>
  fetch(new URL(path, api.server.url), { method, headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
const leaseBody = (resourceVersion?: string) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'hb', namespace: 'kube-node-lease', resourceVersion },
  spec: { holderIdentity: 'hb', leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace(/Z$/, '000Z') },
});

const post = (token: string, query: string, variables?: Record<string, unknown>) =>
  fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });

describe('priority levels', () => {
  it('under a write storm from another identity that overflows its level, Lease renewals keep landing within the grace period', async () => {
    // Two storming processes of 300 concurrent writers each.
    const storms = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../support/write-storm.ts'), api.server.url, api.token, 'storm', '300'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const outputs = storms.map((c) => {
      let out = '';
      c.stdout!.on('data', (d) => (out += d));
      return () => out;
    });
    await eventually(() => outputs.every((o) => o().includes('storming')), 30_000);
    // A kubelet's renewals, every 500 ms for 10 s, while the storm runs: by turns a GraphQL patch
    // and a REST PUT with the Lease's resourceVersion (as the agents send it).
    const latencies: number[] = [];
    const failures: string[] = [];
    await new Promise((r) => setTimeout(r, 1000)); // the storm at full strength first
    let resourceVersion = ((await (await rest(nodeToken, 'GET', `${LEASE_PATH}/hb`)).json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    for (let i = 0; i < 20; i++) {
      const sent = Date.now();
      if (i % 2 === 0) {
        const res = await post(nodeToken, RENEW, { n: 'hb', p: { spec: { renewTime: new Date().toISOString() } } });
        const body = (await res.json()) as { errors?: unknown[]; data?: { patchLease: { metadata: { resourceVersion: string } } } };
        if (res.status !== 200 || body.errors) failures.push(`${res.status} ${JSON.stringify(body.errors)}`);
        else resourceVersion = body.data!.patchLease.metadata.resourceVersion;
      } else {
        const res = await rest(nodeToken, 'PUT', `${LEASE_PATH}/hb`, leaseBody(resourceVersion));
        const body = (await res.json()) as { metadata?: { resourceVersion: string }; message?: string };
        if (res.status !== 200) failures.push(`${res.status} ${body.message}`);
        else resourceVersion = body.metadata!.resourceVersion;
      }
      latencies.push(Date.now() - sent);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const c of storms) c.stdin!.end();
    const outcomes = { ok: 0, limited: 0, other: 0 };
    for (const o of outputs) {
      const line = await eventually(() => o().split('\n').find((l) => l.startsWith('{')), 30_000);
      const r = JSON.parse(line!) as typeof outcomes;
      outcomes.ok += r.ok;
      outcomes.limited += r.limited;
      outcomes.other += r.other;
    }
    expect(outcomes.limited).toBeGreaterThan(0); // the storm did overflow the workload level
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(Math.max(...latencies)).toBeLessThan(GRACE_MS);
    const renewals = (verb: string) => (api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Lease' AND name = 'hb' AND verb = ? AND actor = 'system:node:hb'`).get(verb) as { n: number }).n;
    expect([renewals('patch'), renewals('update')]).toEqual([10, 10]);
    // Generous: the storm's start and end on a loaded machine, more so with the log in PostgreSQL.
  }, 180_000);

  it("the heartbeat level is bounded per node: one executing and one waiting, the rest answer RATE_LIMITED; other writes are not heartbeats", async () => {
    // 40 at once: were they to reach the server one after another on a loaded machine (none overlapping
    // another's execution), the node's heartbeat budget (a burst of 10, then 5 a second) still refuses most.
    const renewals = await Promise.all(Array.from({ length: 40 }, () => post(nodeToken, RENEW, { n: 'hb', p: { spec: { renewTime: new Date().toISOString() } } })));
    const statuses = renewals.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = (await renewals.find((r) => r.status === 429)!.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(limited.errors[0].extensions.code).toBe('RATE_LIMITED');
    await Promise.all(renewals.filter((r) => !r.bodyUsed).map((r) => r.arrayBuffer()));
    // A mutation that is not only heartbeat fields is workload (and the node rules still apply to it).
    const mixed = await (await post(nodeToken, `mutation { a: patchLease(namespace: "kube-node-lease", name: "hb", patch: {}) { metadata { name } } b: deleteNamespace(name: "storm") { metadata { name } } }`)).json() as { errors?: Array<{ extensions: { code: string } }> };
    expect(mixed.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('over the REST API too: a node\'s PUTs of its Lease are bounded per node, and refused ones answer a Status; other objects and large bodies are not heartbeats', async () => {
    // A fresh budget: the previous test spent this node's.
    await new Promise((r) => setTimeout(r, 2500));
    const puts = await Promise.all(Array.from({ length: 40 }, () => rest(nodeToken, 'PUT', `${LEASE_PATH}/hb`, leaseBody())));
    const statuses = puts.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = (await puts.find((r) => r.status === 429)!.json()) as { kind: string; reason: string; code: number };
    expect(limited).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    await Promise.all(puts.filter((r) => !r.bodyUsed).map((r) => r.arrayBuffer()));
    // Another node's Lease is not this node's heartbeat: 40 at once are workload (none held to the
    // node's one-at-a-time bound, no 429), and the node rules refuse each.
    await api.ok(`mutation { createLease(input: { metadata: { name: "someone-else", namespace: "kube-node-lease" }, spec: { holderIdentity: "someone-else" } }) { metadata { name } } }`);
    const others = await Promise.all(Array.from({ length: 40 }, () => rest(nodeToken, 'PUT', `${LEASE_PATH}/someone-else`, { ...leaseBody(), metadata: { name: 'someone-else', namespace: 'kube-node-lease' } })));
    expect(new Set(others.map((r) => r.status))).toEqual(new Set([403]));
    expect(((await others[0].json()) as { reason: string }).reason).toBe('Forbidden');
    await Promise.all(others.slice(1).map((r) => r.arrayBuffer()));
    // Nor is its own Lease in a large body (a 20 KiB annotation): workload, none refused by the bound.
    const large = { ...leaseBody(), metadata: { name: 'hb', namespace: 'kube-node-lease', annotations: { filler: 'x'.repeat(20 * 1024) } } };
    const bigPuts = await Promise.all(Array.from({ length: 40 }, () => rest(nodeToken, 'PUT', `${LEASE_PATH}/hb`, large)));
    expect(new Set(bigPuts.map((r) => r.status))).toEqual(new Set([200]));
    await Promise.all(bigPuts.map((r) => r.arrayBuffer()));
  });

  it('classes REST requests as heartbeats only for the node\'s own Lease and Node status', () => {
    const lease = { kind: 'Lease', namespace: 'kube-node-lease', bytes: 400 };
    expect(isHeartbeatRoute({ ...lease, method: 'PUT', name: 'hb' }, 'hb')).toBe(true);
    expect(isHeartbeatRoute({ ...lease, method: 'PATCH', name: 'hb' }, 'hb')).toBe(true);
    expect(isHeartbeatRoute({ ...lease, method: 'POST' }, 'hb')).toBe(true);
    expect(isHeartbeatRoute({ kind: 'Node', method: 'PUT', name: 'hb', subresource: 'status', bytes: 2000 }, 'hb')).toBe(true);
    // Not heartbeats: a body past 16 KiB, or of undeclared length (chunked).
    expect(isHeartbeatRoute({ ...lease, method: 'PUT', name: 'hb', bytes: 16 * 1024 + 1 }, 'hb')).toBe(false);
    expect(isHeartbeatRoute({ ...lease, method: 'PUT', name: 'hb', bytes: undefined }, 'hb')).toBe(false);
    // Not heartbeats: another node's objects, reads, deletes, other namespaces and kinds, the Node itself.
    expect(isHeartbeatRoute({ ...lease, method: 'PUT', name: 'other' }, 'hb')).toBe(false);
    expect(isHeartbeatRoute({ ...lease, method: 'GET', name: 'hb' }, 'hb')).toBe(false);
    expect(isHeartbeatRoute({ ...lease, method: 'DELETE', name: 'hb' }, 'hb')).toBe(false);
    expect(isHeartbeatRoute({ ...lease, namespace: 'default', method: 'PUT', name: 'hb' }, 'hb')).toBe(false);
    expect(isHeartbeatRoute({ ...lease, kind: 'Pod', method: 'PUT', name: 'hb' }, 'hb')).toBe(false);
    expect(isHeartbeatRoute({ kind: 'Node', method: 'PUT', name: 'hb', bytes: 400 }, 'hb')).toBe(false);
    expect(isHeartbeatRoute({ kind: 'Node', method: 'PATCH', name: 'other', subresource: 'status', bytes: 400 }, 'hb')).toBe(false);
  });
});
