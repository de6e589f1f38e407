/**
 * The Kubernetes tutorial session with the real kubectl against a real API server, a real
 * controller-manager process and a fake kubelet (a client that marks pods Running and Ready):
 * create deployment, expose, rollout status, scale, get -w, label, rollout history, delete;
 * kubectl's output checked line by line as a real cluster prints it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { startFakeKubelet } from '../support/fake-kubelet.js';
import { eventually, kubectlFor, kubectlPresent, kubectlSkipReason, type Kubectl } from '../support/kubectl.js';
import { startComponent, stopAllComponents } from '../support/processes.js';

describe.skipIf(!kubectlPresent)(`the kubectl tutorial ${kubectlSkipReason}`, { timeout: 120_000 }, () => {
  let api: TestApi;
  let kubectl: Kubectl;
  let kubelet: ReturnType<typeof startFakeKubelet>;

  beforeAll(async () => {
    api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
    startComponent('controllers/main.ts', ['--server', api.server.url]);
    kubelet = startFakeKubelet(api.server.url, { namespace: 'default', readyAfterMs: 50 });
    await kubelet.waitForSync();
    kubectl = kubectlFor(api);
  });
  afterAll(async () => {
    kubectl?.close();
    await kubelet?.stop();
    await stopAllComponents();
    await api?.close();
  });

  const podLines = async () => (await kubectl.ok(['get', 'pods', '-l', 'app=web', '--no-headers'])).trim().split('\n').filter(Boolean);

  it('creates a deployment and exposes it; the rollout completes', async () => {
    expect((await kubectl.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2'])).trim()).toBe('deployment.apps/web created');
    expect((await kubectl.ok(['expose', 'deployment', 'web', '--port=80'])).trim()).toBe('service/web exposed');
    const status = await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(status.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    const deploy = await kubectl.ok(['get', 'deployment', 'web']);
    expect(deploy).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+\d+s\n$/);
    const svc = await kubectl.ok(['get', 'service', 'web']);
    expect(svc).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nweb\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s\n$/);
    const pods = await podLines();
    expect(pods).toHaveLength(2);
    for (const line of pods) expect(line).toMatch(/^web-[a-z0-9]+-[a-z0-9]{5}\s+[01]\/1\s+Running\s+0\s+\d+s$/);
  });

  it('scales, and get -w prints each change as it happens', async () => {
    const watch = kubectl.start(['get', 'pods', '-l', 'app=web', '-w']);
    await eventually(() => expect(watch.output()).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/));
    expect((await kubectl.ok(['scale', 'deployment', 'web', '--replicas=3'])).trim()).toBe('deployment.apps/web scaled');
    await eventually(async () => expect(await podLines()).toHaveLength(3), 30_000);
    await eventually(() => {
      const names = new Set(watch.output().split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0]));
      expect(names.size).toBe(3);
      expect(watch.output()).toMatch(/\nweb-\S+\s+[01]\/1\s+Running\s+0\s+\S+\n/);
    }, 30_000);
    await watch.stop();
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
  });

  it('labels pods by selector and shows the rollout history', async () => {
    const labeled = (await kubectl.ok(['label', 'pods', '-l', 'app=web', 'env=demo'])).trim().split('\n');
    expect(labeled).toHaveLength(3);
    for (const line of labeled) expect(line).toMatch(/^pod\/web-\S+ labeled$/);
    expect((await kubectl.ok(['get', 'pods', '-l', 'env=demo', '-o', 'name'])).trim().split('\n')).toHaveLength(3);
    const history = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n/);
  });

  it('sets a new image, rolls it out, shows the history and undoes it (strategic merge patches)', async () => {
    expect((await kubectl.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.26'])).trim()).toBe('deployment.apps/web image updated');
    const status = await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(status.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    expect(await kubectl.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('nginx:1.26');
    const history = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    expect((await kubectl.ok(['rollout', 'undo', 'deployment/web'])).trim()).toBe('deployment.apps/web rolled back');
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(await kubectl.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('nginx:1.25');
    expect((await kubectl.ok(['rollout', 'restart', 'deployment/web'])).trim()).toBe('deployment.apps/web restarted');
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
  });

  it('cordons and drains the node: its pods are evicted and the node is unschedulable', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'fake-node' } }) });
    expect((await kubectl.ok(['cordon', 'fake-node'])).trim()).toBe('node/fake-node cordoned');
    expect(await kubectl.ok(['get', 'node', 'fake-node', '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
    const before = new Set((await podLines()).map((l) => l.split(/\s+/)[0]));
    const drained = await kubectl.ok(['drain', 'fake-node', '--ignore-daemonsets', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(drained).toMatch(/^node\/fake-node already cordoned\n/);
    for (const name of before) expect(drained).toContain(`pod/${name} evicted`);
    expect(drained.trim().split('\n').at(-1)).toBe('node/fake-node drained');
    const evictions = api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Pod' AND verb = 'delete' AND actor = 'admin'`).get() as { n: number };
    expect(evictions.n).toBeGreaterThanOrEqual(before.size);
    expect((await kubectl.ok(['uncordon', 'fake-node'])).trim()).toBe('node/fake-node uncordoned');
  });

  it('deletes the service and the deployment; the garbage collector takes the rest', async () => {
    expect((await kubectl.ok(['delete', 'service', 'web'])).trim()).toBe('service "web" deleted');
    expect((await kubectl.ok(['delete', 'deployment', 'web'], { timeoutMs: 60_000 })).trim()).toBe('deployment.apps "web" deleted');
    await eventually(async () => expect(await kubectl.ok(['get', 'replicasets', '-o', 'name'])).toBe(''), 30_000);
    const actors = api.db().prepare(`SELECT DISTINCT actor FROM events WHERE kind IN ('Deployment', 'Service') AND verb != 'updateStatus'`).all();
    expect(actors).toEqual([{ actor: 'admin' }]);
  });
});
