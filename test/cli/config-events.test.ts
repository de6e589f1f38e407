/** kq and the new kinds: ConfigMaps, Secrets (sizes, never values), Events (kubectl's columns and describe's Events table), api-resources, "did you mean". */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { kqFor } from '../support/kq.js';
import { GAME_DEMO_CONFIGMAP, TEST_SECRET } from '../support/manifests.js';
import { parseTable } from './table.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;
// Days, so the ages printed do not change while the test runs.
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString().replace(/\.\d+Z$/, 'Z');

beforeAll(async () => {
  // Events days old, kept: a TTL of a year here.
  api = await startTestApi({ events: { ttlMs: 365 * DAY } });
  kq = kqFor({ url: api.server.url, token: api.token });
  await api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, {
    m: `${GAME_DEMO_CONFIGMAP}---\n${TEST_SECRET}---\napiVersion: v1\nkind: Pod\nmetadata: { name: web }\nspec: { containers: [{ name: nginx, image: nginx }] }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: lb }\nspec: { type: LoadBalancer, selector: { app: web }, ports: [{ port: 80, nodePort: 30080 }] }\n`,
  });
  const pod = (await api.ok(`{ pod(namespace: "default", name: "web") { metadata { uid } } }`)).pod;
  const event = (name: string, extra: Record<string, unknown>) =>
    api.ok(`mutation($i: EventInput!) { createEvent(input: $i) { metadata { name } } }`, {
      i: { metadata: { name }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: pod.metadata.uid }, ...extra },
    });
  await event('web.1', { type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web to node-0', source: { component: 'default-scheduler' }, firstTimestamp: ago(12 * DAY), lastTimestamp: ago(12 * DAY), count: 1 });
  await event('web.2', {
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container nginx in pod web_default',
    source: { component: 'kubelet', host: 'node-0' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: pod.metadata.uid, fieldPath: 'spec.containers{nginx}' },
    firstTimestamp: ago(11 * DAY),
    lastTimestamp: ago(10 * DAY),
    count: 5,
  });
});
afterAll(() => api.close());

describe('kq and the new kinds', () => {
  it('get configmaps and secrets: DATA counts, TYPE; never a value', async () => {
    const cm = await kq.run(['get', 'cm']);
    expect(parseTable(cm.stdout).map(({ NAME, DATA }) => ({ NAME, DATA }))).toEqual([{ NAME: 'game-demo', DATA: '4' }]);
    const secrets = await kq.run(['get', 'secrets']);
    expect(secrets.stdout.split('\n')[0]).toMatch(/^NAME +TYPE +DATA +AGE$/);
    expect(parseTable(secrets.stdout).map(({ NAME, TYPE, DATA }) => ({ NAME, TYPE, DATA }))).toEqual([{ NAME: 'test-secret', TYPE: 'Opaque', DATA: '2' }]);
  });

  it('describe secret shows sizes, as kubectl does, never the values', async () => {
    const { stdout, code } = await kq.run(['describe', 'secret', 'test-secret']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nData:\n {2}username: +6 bytes\n {2}password: +12 bytes\n/);
    expect(stdout).not.toContain('bXktYXBw');
    expect(stdout).not.toContain('Mzk1MjgkdmRnN0pi');
  });

  it("get events: kubectl's columns, repeats as (xN over T); -o wide adds subobject, source, first seen, count, name", async () => {
    const { stdout } = await kq.run(['get', 'events']);
    expect(stdout.split('\n')[0]).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
    expect(parseTable(stdout)).toEqual([
      { 'LAST SEEN': '12d', TYPE: 'Normal', REASON: 'Scheduled', OBJECT: 'pod/web', MESSAGE: 'Successfully assigned default/web to node-0' },
      { 'LAST SEEN': '10d (x5 over 11d)', TYPE: 'Warning', REASON: 'BackOff', OBJECT: 'pod/web', MESSAGE: 'Back-off restarting failed container nginx in pod web_default' },
    ]);
    const wide = await kq.run(['get', 'ev', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +SUBOBJECT +SOURCE +MESSAGE +FIRST SEEN +COUNT +NAME$/);
    expect(parseTable(wide.stdout)[1]).toMatchObject({ SUBOBJECT: 'spec.containers{nginx}', SOURCE: 'kubelet, node-0', 'FIRST SEEN': '11d', COUNT: '5', NAME: 'web.2' });
  });

  it("describe shows the object's Events as kubectl's table, oldest first; <none> without any", async () => {
    const pod = await kq.run(['describe', 'pod', 'web']);
    const events = pod.stdout.slice(pod.stdout.indexOf('Events:'));
    const lines = events.split('\n');
    expect(lines[0]).toBe('Events:');
    expect(lines[1]).toMatch(/^ +Type +Reason +Age +From +Message$/);
    expect(lines[2]).toMatch(/^ +---- +------ +---? +---- +-------$/);
    expect(lines[3]).toMatch(/^ +Normal +Scheduled +12d +default-scheduler +Successfully assigned default\/web to node-0$/);
    expect(lines[4]).toMatch(/^ +Warning +BackOff +10d \(x5 over 11d\) +kubelet +Back-off restarting failed container nginx in pod web_default$/);
    const cm = await kq.run(['describe', 'configmap', 'game-demo']);
    expect(cm.stdout).toMatch(/\nEvents: +<none>\n$/);
  });

  it('a LoadBalancer Service shows EXTERNAL-IP <pending> and its nodePort', async () => {
    const rows = parseTable((await kq.run(['get', 'svc', 'lb'])).stdout);
    expect(rows[0]).toMatchObject({ NAME: 'lb', TYPE: 'LoadBalancer', 'EXTERNAL-IP': '<pending>', 'PORT(S)': '80:30080/TCP' });
  });

  it('api-resources lists configmaps, secrets and events with their short names', async () => {
    const rows = parseTable((await kq.run(['api-resources'])).stdout);
    expect(rows).toEqual(
      expect.arrayContaining([
        { NAME: 'configmaps', SHORTNAMES: 'cm', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'ConfigMap' },
        { NAME: 'secrets', SHORTNAMES: '', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Secret' },
        { NAME: 'events', SHORTNAMES: 'ev', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Event' },
      ]),
    );
  });

  it('a mistyped kind suggests the closest one, in kq and in apply', async () => {
    const typo = await kq.run(['get', 'secert']);
    expect(typo).toMatchObject({ code: 1, stderr: expect.stringContaining(`the server doesn't have a resource type "secert"; did you mean "secrets"?`) });
    const prefix = await kq.run(['get', 'configm']);
    expect(prefix.stderr).toContain('did you mean "configmaps"?');
    const nothing = await kq.run(['get', 'zzzzzzzz']);
    expect(nothing.stderr).not.toContain('did you mean');
    const applied = await api.gql(`mutation($m: String!) { apply(manifests: $m) { revision } }`, { m: 'apiVersion: v1\nkind: Configmap\nmetadata: { name: x }\n' });
    expect(applied.errors?.[0].message).toContain('"Configmap": no such kind; did you mean "ConfigMap"?');
  });
});
