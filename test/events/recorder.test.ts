import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { createEventRecorder, createEventRecorderCaches } from '../../server/client/event-recorder.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually } from '../support/processes.js';

let api: TestApi;
let client: KubeqlClient;
let pod: any;
beforeAll(async () => {
  api = await startTestApi({ events: { intervalMs: 200 } });
  client = createKubeqlClient({ server: api.server.url, token: api.token });
  pod = (await api.ok(`mutation { createPod(input: { metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "nginx" }] } }) { manifest } }`)).createPod.manifest;
});
afterAll(async () => {
  await client.close();
  await api.close();
});

const EVENTS = `query($s: String) { events(namespace: "default", fieldSelector: $s) { edges { node { metadata { name } involvedObject { kind name uid fieldPath } reason message type count firstTimestamp lastTimestamp source { component host } } } } }`;
const events = async (selector?: string) => (await api.ok(EVENTS, { s: selector })).events.edges.map((e: any) => e.node);

describe('the Event recorder', () => {
  it('creates an Event named after its object, then aggregates repeats into its count and lastTimestamp', async () => {
    const recorder = createEventRecorder(client, { component: 'kubelet', host: 'node-1' });
    for (let i = 0; i < 5; i++) recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container c in pod web_default');
    recorder.event(pod, 'Normal', 'Pulled', 'Container image "nginx" already present on machine');
    await recorder.flush();
    const backOff = await events('reason=BackOff');
    expect(backOff).toHaveLength(1);
    expect(backOff[0]).toMatchObject({
      involvedObject: { kind: 'Pod', name: 'web', uid: pod.metadata.uid },
      type: 'Warning',
      count: 5,
      source: { component: 'kubelet', host: 'node-1' },
    });
    expect(backOff[0].metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    expect(Date.parse(backOff[0].lastTimestamp)).toBeGreaterThanOrEqual(Date.parse(backOff[0].firstTimestamp));
    expect(await events('reason=Pulled')).toHaveLength(1);
    expect(recorder.stats).toMatchObject({ dropped: 0, failed: 0 });
    // Repeats folded while a write was in flight: fewer writes than occurrences.
    expect(recorder.stats.created + recorder.stats.patched).toBeLessThan(6);
  });

  it('a repeat of an Event deleted on the server (expired) starts a new one at count 1', async () => {
    const recorder = createEventRecorder(client, { component: 'default-scheduler' });
    recorder.event(pod, 'Normal', 'Scheduled', 'Successfully assigned default/web to node-1');
    await recorder.flush();
    const [first] = await events('reason=Scheduled');
    await api.ok(`mutation($n: String!) { deleteEvent(namespace: "default", name: $n) { metadata { name } } }`, { n: first.metadata.name });
    recorder.event(pod, 'Normal', 'Scheduled', 'Successfully assigned default/web to node-1');
    await recorder.flush();
    const again = await events('reason=Scheduled');
    expect(again).toHaveLength(1);
    expect(again[0].count).toBe(1);
    expect(again[0].metadata.name).not.toBe(first.metadata.name);
  });

  it('keeps at most maxPending Events waiting and counts the ones it drops', async () => {
    const recorder = createEventRecorder(client, { component: 'flood' }, { maxPending: 10 });
    // 50 different objects: nothing is similar enough to combine.
    for (let i = 0; i < 50; i++) recorder.event({ kind: 'Pod', namespace: 'default', name: `flood-${i}` }, 'Normal', 'Flood', `message ${i}`);
    await recorder.flush();
    expect(recorder.stats.dropped).toBe(40);
    expect(await events('reason=Flood')).toHaveLength(10);
  });
});

describe('an Event write whose answer is lost', () => {
  /** A loopback proxy to the API server that lets the first createEvent through but drops its answer. */
  async function lossyProxy(): Promise<{ url: string; server: Server; dropped: () => number }> {
    let dropped = 0;
    const target = new URL(api.server.url);
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const drop = dropped === 0 && body.includes('createEvent');
        const out = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            if (drop) {
              dropped++;
              req.socket.destroy(); // the mutation ran; its answer never arrives
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(parts));
          });
        });
        out.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`, server, dropped: () => dropped };
  }

  it('is tried again, and the ALREADY_EXISTS that answers it counts onto the Event that landed', async () => {
    const proxy = await lossyProxy();
    const lossy = createKubeqlClient({ server: proxy.url, token: api.token });
    try {
      const recorder = createEventRecorder(lossy, { component: 'kubelet', host: 'node-lossy' });
      recorder.event(pod, 'Warning', 'FailedSync', 'error determining status: rpc error: code = Unavailable');
      await recorder.flush();
      expect(proxy.dropped()).toBe(1);
      recorder.event(pod, 'Warning', 'FailedSync', 'error determining status: rpc error: code = Unavailable');
      await recorder.flush();
      const found = (await events('reason=FailedSync')).filter((e: any) => e.source.host === 'node-lossy');
      expect(found).toHaveLength(1);
      expect(found[0].count).toBe(2);
      expect(recorder.stats.failed).toBe(0);
    } finally {
      await lossy.close();
      proxy.server.closeAllConnections();
      await new Promise((r) => proxy.server.close(r));
    }
  });
});

describe('similar Events', () => {
  it('from the 10th different message about one object, type and reason within 10 minutes on, they are combined into one Event that counts them', async () => {
    const rs = { kind: 'ReplicaSet', namespace: 'default', name: 'big', uid: 'rs-uid', apiVersion: 'apps/v1' };
    const recorder = createEventRecorder(client, { component: 'replicaset-controller' });
    for (let i = 0; i < 200; i++) recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: big-${i}`);
    recorder.event(rs, 'Warning', 'FailedCreate', 'Error creating: quota'); // another reason is not similar
    await recorder.flush();
    const created = (await events('reason=SuccessfulCreate')).filter((e: any) => e.involvedObject.name === 'big');
    const combined = created.filter((e: any) => e.message.startsWith('(combined from similar events): '));
    expect(combined).toHaveLength(1);
    expect(combined[0].message).toBe('(combined from similar events): Created pod: big-9');
    expect(created.filter((e: any) => !combined.includes(e)).map((e: any) => e.message).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `Created pod: big-${i}`).sort());
    // Every occurrence is counted once, in its own Event or the combined one.
    expect(created.reduce((n: number, e: any) => n + e.count, 0)).toBe(200);
    expect(await events('reason=FailedCreate')).toHaveLength(1);
    expect(recorder.stats).toMatchObject({ dropped: 0, failed: 0 });
    expect(recorder.stats.created + recorder.stats.patched).toBeLessThan(100);
  });
});

describe('Events on the API server', () => {
  it('are refused without an involved object or with a type other than Normal and Warning, leaving the log as it was', async () => {
    const head = (await api.ok(`{ revision }`)).revision;
    const noRef = await api.gql(`mutation { createEvent(input: { metadata: { name: "x" }, involvedObject: {}, reason: "R" }) { metadata { name } } }`);
    expect(noRef.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.involvedObject.kind' });
    const badType = await api.gql(`mutation { createEvent(input: { metadata: { name: "x" }, involvedObject: { kind: "Pod", name: "web" }, type: "Critical" }) { metadata { name } } }`);
    expect(badType.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.type' });
    const otherNs = await api.gql(`mutation { createEvent(input: { metadata: { name: "x" }, involvedObject: { kind: "Pod", name: "web", namespace: "kube-system" } }) { metadata { name } } }`);
    expect(otherNs.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.involvedObject.namespace' });
    const long = await api.gql(`mutation($m: JSON) { createEvent(input: { metadata: { name: "x" }, involvedObject: { kind: "Pod", name: "web" }, message: $m }) { metadata { name } } }`, { m: 'x'.repeat(2000) });
    expect(long.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.message' });
    expect((await api.ok(`{ revision }`)).revision).toBe(head);
  });

  it('expire an hour after their last occurrence: the API server deletes them', async () => {
    const old = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const create = `mutation($n: String!, $t: JSON) { createEvent(input: { metadata: { name: $n }, involvedObject: { kind: "Pod", name: "web" }, reason: "Old", lastTimestamp: $t }) { metadata { name } } }`;
    await api.ok(create, { n: 'stale.1', t: old });
    await api.ok(create, { n: 'fresh.1', t: now });
    await eventually(async () => !(await api.ok(`{ event(namespace: "default", name: "stale.1") { metadata { name } } }`)).event, 10_000);
    expect((await api.ok(`{ event(namespace: "default", name: "fresh.1") { metadata { name } } }`)).event).not.toBeNull();
    const deletedBy = api.db().prepare(`SELECT actor FROM events WHERE kind = 'Event' AND name = 'stale.1' AND type = 'DELETED'`).pluck().all();
    expect(deletedBy).toEqual(['system:apiserver']);
  });

  it('expire when their hour is up though nothing is written meanwhile (a pass kept them, and is due again then)', async () => {
    const soon = new Date(Date.now() - 3600_000 + 8_000).toISOString();
    await api.ok(`mutation($t: JSON) { createEvent(input: { metadata: { name: "soon.1" }, involvedObject: { kind: "Pod", name: "web" }, reason: "Soon", lastTimestamp: $t }) { metadata { name } } }`, { t: soon });
    // Passes run and keep it for its last seconds; then it goes with no other write to prompt a pass.
    expect((await api.ok(`{ event(namespace: "default", name: "soon.1") { metadata { name } } }`)).event).not.toBeNull();
    const head = api.server.store.head();
    await eventually(async () => !(await api.ok(`{ event(namespace: "default", name: "soon.1") { metadata { name } } }`)).event, 30_000);
    const since = api.db().prepare(`SELECT kind, name, type FROM events WHERE revision > ?`).all(head);
    expect(since).toEqual([{ kind: 'Event', name: 'soon.1', type: 'DELETED' }]);
  });

  it('stay out of the audit log unless it asks for kind Event', async () => {
    const all = await api.ok(`{ auditLog(first: 1000) { edges { node { kind } } } }`);
    const kinds = new Set(all.auditLog.edges.map((e: any) => e.node.kind));
    expect(kinds.has('Pod')).toBe(true);
    expect(kinds.has('Event')).toBe(false);
    const onlyEvents = await api.ok(`{ auditLog(filter: { kind: Event }, first: 1000) { edges { node { kind } } } }`);
    expect(onlyEvents.auditLog.edges.length).toBeGreaterThan(5);
  });
});

describe('Event recorders sharing their caches (one LRU for many simulated kubelets)', () => {
  it('aggregate each its own repeats, never mix two sources, and together remember at most the caches size', async () => {
    const caches = createEventRecorderCaches(8);
    const a = createEventRecorder(client, { component: 'kubelet', host: 'shared-a' }, { caches });
    const b = createEventRecorder(client, { component: 'kubelet', host: 'shared-b' }, { caches });
    for (let i = 0; i < 3; i++) {
      a.event(pod, 'Warning', 'FailedMount', 'MountVolume.SetUp failed for volume "cfg"');
      b.event(pod, 'Warning', 'FailedMount', 'MountVolume.SetUp failed for volume "cfg"');
    }
    await Promise.all([a.flush(), b.flush()]);
    const mounts = await events('reason=FailedMount');
    expect(mounts.map((e: any) => [e.source.host, e.count]).sort()).toEqual([
      ['shared-a', 3],
      ['shared-b', 3],
    ]);
    // Twenty more distinct events from the two: the shared LRUs keep only the newest 8 keys.
    for (let i = 0; i < 10; i++) {
      a.event(pod, 'Normal', `Reason${i}`, `message ${i}`);
      b.event(pod, 'Normal', `Reason${i}`, `message ${i}`);
    }
    await Promise.all([a.flush(), b.flush()]);
    expect(caches.entries.size).toBe(8);
    expect(caches.similar.size).toBe(8);
    // The oldest key fell out: its next occurrence starts a new Event at count 1.
    a.event(pod, 'Warning', 'FailedMount', 'MountVolume.SetUp failed for volume "cfg"');
    await a.flush();
    const again = (await events('reason=FailedMount')).filter((e: any) => e.source.host === 'shared-a');
    expect(again.map((e: any) => e.count).sort()).toEqual([1, 3]);
  });

  it('drop the least recently used key, not the oldest: a key in use stays while others come and go', async () => {
    const caches = createEventRecorderCaches(4);
    const c = createEventRecorder(client, { component: 'kubelet', host: 'lru' }, { caches });
    const recent = () => c.event(pod, 'Normal', 'StillRecent', 'used again and again');
    recent();
    for (let i = 0; i < 3; i++) c.event(pod, 'Normal', `Passing${i}`, `passing ${i}`);
    await c.flush();
    recent(); // the oldest key is the most recently used again
    await c.flush();
    for (let i = 3; i < 5; i++) c.event(pod, 'Normal', `Passing${i}`, `passing ${i}`);
    await c.flush();
    // Two keys fell out since its repeat, the two used least recently (Passing0, Passing1); it did not.
    recent();
    await c.flush();
    const mine = (await events('reason=StillRecent')).filter((e: any) => e.source.host === 'lru');
    expect(mine.map((e: any) => e.count)).toEqual([3]);
    c.event(pod, 'Normal', 'Passing0', 'passing 0');
    await c.flush();
    const first = (await events('reason=Passing0')).filter((e: any) => e.source.host === 'lru');
    expect(first.map((e: any) => e.count)).toEqual([1, 1]);
  });
});
