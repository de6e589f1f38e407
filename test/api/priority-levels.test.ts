/**
 * Heartbeats have a priority level of their own (after Kubernetes' API Priority and Fairness): under
 * a storm of writes from another identity that fills the workload level's seats and queue, a node's
 * Lease renewals keep landing within the node-monitor grace period; and the level is bounded, so a
 * node cannot use it for more than its heartbeat.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    // A kubelet's renewals, every 500 ms for 10 s, while the storm runs.
    const latencies: number[] = [];
    const failures: string[] = [];
    await new Promise((r) => setTimeout(r, 1000)); // the storm at full strength first
    for (let i = 0; i < 20; i++) {
      const sent = Date.now();
      const res = await post(nodeToken, RENEW, { n: 'hb', p: { spec: { renewTime: new Date().toISOString() } } });
      const body = (await res.json()) as { errors?: unknown[] };
      latencies.push(Date.now() - sent);
      if (res.status !== 200 || body.errors) failures.push(`${res.status} ${JSON.stringify(body.errors)}`);
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
    const renewals = api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Lease' AND name = 'hb' AND verb = 'patch'`).get() as { n: number };
    expect(renewals.n).toBe(20);
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
});
