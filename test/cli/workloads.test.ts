/**
 * kq scale, label, rollout (status, undo, history, restart), cordon, uncordon, drain and top nodes
 * against a real API server; the test plays the Deployment controller and the node agent through
 * public mutations (status writes, ReplicaSets with the controller's revision annotations).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually } from '../support/processes.js';
import { kqFor } from '../support/kq.js';
import { parseTable } from './table.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;

const apply = (m: string) => api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, { m });
const manifest = async (kind: string, name: string, ns = 'default') =>
  (await api.ok(`{ o: ${kind}(${ns ? `namespace: "${ns}", ` : ''}name: "${name}") { manifest } }`)).o?.manifest;

const podYaml = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: { name: ${name}${extra} }
spec: { containers: [{ name: app, image: nginx, resources: { requests: { cpu: 250m, memory: 64Mi } } }] }
`;

beforeAll(async () => {
  api = await startTestApi();
  kq = kqFor({ url: api.server.url, token: api.token });
  await apply(`apiVersion: apps/v1
kind: Deployment
metadata: { name: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: shop } }
  template: { metadata: { labels: { app: shop } }, spec: { containers: [{ name: app, image: "shop:3" }] } }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: loose }
spec:
  replicas: 1
  selector: { matchLabels: { app: loose } }
  template: { metadata: { labels: { app: loose } }, spec: { containers: [{ name: app, image: nginx }] } }
`);
});

afterAll(async () => {
  await api?.close();
});

describe('kq scale and kq label', () => {
  it('scales deployments and replica sets, honours --current-replicas, refuses other kinds', async () => {
    const [deploy, rs, pod] = await Promise.all([
      kq.run(['scale', 'deployment/shop', '--replicas', '4']),
      kq.run(['scale', 'rs', 'loose', '--replicas=0']),
      kq.run(['scale', 'pod/x', '--replicas=1']),
    ]);
    const wrongCurrent = await kq.run(['scale', 'deploy/shop', '--replicas=9', '--current-replicas=7']);
    expect(deploy).toEqual({ code: 0, stdout: 'deployment.apps/shop scaled\n', stderr: '' });
    expect(rs).toEqual({ code: 0, stdout: 'replicaset.apps/loose scaled\n', stderr: '' });
    expect(wrongCurrent).toMatchObject({ code: 1, stderr: 'error: Expected replicas to be 7, was 4 (deployment.apps/shop)\n' });
    expect(pod).toMatchObject({ code: 1, stderr: expect.stringContaining('pods cannot be scaled') });
    expect((await manifest('deployment', 'shop')).spec.replicas).toBe(4);
    expect((await manifest('replicaSet', 'loose')).spec.replicas).toBe(0);
  });

  it('adds, refuses to overwrite without --overwrite, overwrites and removes labels', async () => {
    const set = await kq.run(['label', 'deploy', 'shop', 'tier=web', 'team=a']);
    expect(set).toEqual({ code: 0, stdout: 'deployment.apps/shop labeled\n', stderr: '' });
    const refused = await kq.run(['label', 'deploy/shop', 'tier=db']);
    expect(refused).toMatchObject({ code: 1, stderr: "error: 'tier' already has a value (web), and --overwrite is false (deployment.apps/shop)\n" });
    const both = await kq.run(['label', 'deploy/shop', 'tier=db', 'team-', '--overwrite']);
    expect(both.stdout).toBe('deployment.apps/shop labeled\n');
    const removed = await kq.run(['label', 'deploy', 'shop', 'tier-']);
    expect(removed.stdout).toBe('deployment.apps/shop unlabeled\n');
    expect((await manifest('deployment', 'shop')).metadata.labels).toBeUndefined();
  });
});

describe('kq rollout', () => {
  it('status follows the deployment until updated = available = replicas at the observed generation', async () => {
    const d = await manifest('deployment', 'shop');
    const setStatus = (s: Record<string, unknown>) =>
      api.ok(`mutation($s: JSON!) { updateDeploymentStatus(namespace: "default", name: "shop", status: $s) { metadata { name } } }`, { s });
    await setStatus({ observedGeneration: d.metadata.generation - 1 });
    const status = kq.start(['rollout', 'status', 'deployment/shop']);
    try {
      await eventually(() => status.stdout().includes('Waiting for deployment spec update to be observed...'), 20_000, () => status.stdout() + status.stderr());
      await setStatus({ observedGeneration: d.metadata.generation, replicas: 4, updatedReplicas: 1, availableReplicas: 1 });
      await eventually(() => status.stdout().includes('1 out of 4 new replicas have been updated'), 10_000, () => status.stdout());
      await setStatus({ observedGeneration: d.metadata.generation, replicas: 5, updatedReplicas: 4, availableReplicas: 3 });
      await eventually(() => status.stdout().includes('1 old replicas are pending termination'), 10_000, () => status.stdout());
      await setStatus({ observedGeneration: d.metadata.generation, replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
      await eventually(() => status.child.exitCode !== null, 10_000, () => status.stdout());
      expect(status.child.exitCode).toBe(0);
      expect(status.stdout()).toBe(
        [
          'Waiting for deployment spec update to be observed...',
          'Waiting for deployment "shop" rollout to finish: 1 out of 4 new replicas have been updated...',
          'Waiting for deployment "shop" rollout to finish: 1 old replicas are pending termination...',
          'deployment "shop" successfully rolled out',
          '',
        ].join('\n'),
      );
    } finally {
      await status.stop();
    }
    // A spec change the (absent) controller has not observed: the rollout cannot finish.
    await api.ok(`mutation { patchDeployment(namespace: "default", name: "shop", patch: { spec: { minReadySeconds: 5 } }) { metadata { name } } }`);
    const [timedOut, missing] = await Promise.all([
      kq.run(['rollout', 'status', 'deploy/shop', '--timeout', '1s']),
      kq.run(['rollout', 'status', 'deployment/nope']),
    ]);
    expect(timedOut).toMatchObject({ code: 1, stderr: expect.stringContaining('timed out waiting for the rollout of deployment "shop"') });
    expect(missing).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n' });
  });

  it('undo puts back the previous revision\'s template, found by the controller\'s revision annotations', async () => {
    const d = await manifest('deployment', 'shop');
    const owner = `ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: shop, uid: ${d.metadata.uid}, controller: true }]`;
    const rs = (name: string, revision: number, image: string, hash: string) => `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: ${name}
  labels: { app: shop, pod-template-hash: ${hash} }
  annotations: { deployment.kubernetes.io/revision: "${revision}" }
  ${owner}
spec:
  replicas: 0
  selector: { matchLabels: { app: shop, pod-template-hash: ${hash} } }
  template: { metadata: { labels: { app: shop, pod-template-hash: ${hash} } }, spec: { containers: [{ name: app, image: "${image}" }] } }
`;
    // Revisions 1..3; the current template (shop:3) is revision 3. An unowned ReplicaSet with a higher revision is ignored.
    await apply([rs('shop-a1', 1, 'shop:1', 'a1'), rs('shop-b2', 2, 'shop:2', 'b2'), rs('shop-c3', 3, 'shop:3', 'c3'), rs('other-9', 9, 'evil:9', 'x9').replace(owner, '')].join('---\n'));

    const history = await kq.run(['rollout', 'history', 'deployment/shop']);
    expect(history.stdout.split('\n')[0]).toBe('deployment.apps/shop');
    expect(parseTable(history.stdout.split('\n').slice(1).join('\n'))).toEqual([
      { REVISION: '1', 'CHANGE-CAUSE': '<none>' },
      { REVISION: '2', 'CHANGE-CAUSE': '<none>' },
      { REVISION: '3', 'CHANGE-CAUSE': '<none>' },
    ]);

    const undo = await kq.run(['rollout', 'undo', 'deployment/shop']);
    expect(undo).toEqual({ code: 0, stdout: 'deployment.apps/shop rolled back\n', stderr: '' });
    const after = await manifest('deployment', 'shop');
    expect(after.spec.template.spec.containers[0].image).toBe('shop:2');
    expect(after.spec.template.metadata.labels).toEqual({ app: 'shop' }); // no pod-template-hash

    const toOne = await kq.run(['rollout', 'undo', 'deployment/shop', '--to-revision=1']);
    expect(toOne.stdout).toBe('deployment.apps/shop rolled back\n');
    expect((await manifest('deployment', 'shop')).spec.template.spec.containers[0].image).toBe('shop:1');
    const [skipped, unknown, notDeployment] = await Promise.all([
      kq.run(['rollout', 'undo', 'deployment/shop', '--to-revision=1']),
      kq.run(['rollout', 'undo', 'deployment/shop', '--to-revision=7']),
      kq.run(['rollout', 'undo', 'rs/loose']),
    ]);
    expect(skipped.stdout).toBe('deployment.apps/shop skipped rollback (current template already matches revision 1)\n');
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('unable to find specified revision 7') });
    expect(notDeployment).toMatchObject({ code: 1, stderr: expect.stringContaining('name a deployment') });

    const restart = await kq.run(['rollout', 'restart', 'deploy/shop']);
    expect(restart.stdout).toBe('deployment.apps/shop restarted\n');
    expect((await manifest('deployment', 'shop')).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 60_000);
});

describe('kq cordon, uncordon, drain and top nodes', () => {
  beforeAll(async () => {
    await apply(['n1', 'n2'].map((name) => `apiVersion: v1\nkind: Node\nmetadata: { name: ${name} }\n`).join('---\n'));
    for (const [name, cpu, memory] of [
      ['n1', '2', '4Gi'],
      ['n2', '4', '8Gi'],
    ])
      await api.ok(`mutation($n: String!, $s: JSON!) { updateNodeStatus(name: $n, status: $s) { metadata { name } } }`, {
        n: name,
        s: { allocatable: { cpu, memory, pods: '110' }, capacity: { cpu, memory, pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
      });
    const rsUid = (await manifest('replicaSet', 'loose')).metadata.uid;
    const owned = `, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: loose, uid: ${rsUid}, controller: true }]`;
    await apply([podYaml('managed-1', owned), podYaml('managed-2', owned), podYaml('bare'), podYaml('elsewhere'), podYaml('done')].join('---\n'));
    for (const [pod, node] of [
      ['managed-1', 'n1'],
      ['managed-2', 'n1'],
      ['bare', 'n1'],
      ['elsewhere', 'n2'],
      ['done', 'n2'],
    ])
      await api.ok(`mutation($p: String!, $n: String!) { bindPod(namespace: "default", name: $p, nodeName: $n) { metadata { name } } }`, { p: pod, n: node });
    await api.ok(`mutation { updatePodStatus(namespace: "default", name: "done", status: { phase: "Succeeded" }) { metadata { name } } }`);
  });

  it('top nodes adds up the requests of the pods on each node against its allocatable', async () => {
    const top = await kq.run(['top', 'nodes']);
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout.split('\n')[0]).toMatch(/^NAME +CPU\(requests\) +CPU% +MEMORY\(requests\) +MEMORY% +PODS$/);
    expect(parseTable(top.stdout)).toEqual([
      { NAME: 'n1', 'CPU(requests)': '750m', 'CPU%': '37%', 'MEMORY(requests)': '192Mi', 'MEMORY%': '4%', PODS: '3/110' },
      { NAME: 'n2', 'CPU(requests)': '250m', 'CPU%': '6%', 'MEMORY(requests)': '64Mi', 'MEMORY%': '0%', PODS: '1/110' },
    ]);
  });

  it('cordon and uncordon set spec.unschedulable, saying when there was nothing to do', async () => {
    const [cordon, again] = [await kq.run(['cordon', 'n2']), await kq.run(['cordon', 'n2'])];
    expect(cordon.stdout).toBe('node/n2 cordoned\n');
    expect(again.stdout).toBe('node/n2 already cordoned\n');
    expect((await manifest('node', 'n2', '')).spec.unschedulable).toBe(true);
    expect((await kq.run(['get', 'node', 'n2'])).stdout).toMatch(/Ready,SchedulingDisabled/);
    const uncordon = await kq.run(['uncordon', 'n2']);
    expect(uncordon.stdout).toBe('node/n2 uncordoned\n');
    expect((await manifest('node', 'n2', '')).spec.unschedulable).toBeUndefined();
    expect(await kq.run(['cordon', 'ghost'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): nodes "ghost" not found\n' });
  });

  it('drain cordons, refuses pods no controller owns without --force, then deletes the node\'s pods and waits for them', async () => {
    const refused = await kq.run(['drain', 'n1', '--grace-period=0']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('node/n1 cordoned\n');
    expect(refused.stderr).toBe('error: unable to drain node "n1" due to error: cannot delete Pods that declare no controller (use --force to override): default/bare\n');
    expect(await manifest('pod', 'bare')).not.toBeNull();

    const drained = await kq.run(['drain', 'n1', '--force', '--grace-period=0']);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stderr).toBe('Warning: deleting Pods that declare no controller: default/bare\n');
    expect(drained.stdout.split('\n').filter(Boolean)).toEqual([
      'node/n1 already cordoned',
      'evicting pod default/bare',
      'evicting pod default/managed-1',
      'evicting pod default/managed-2',
      'pod/bare evicted',
      'pod/managed-1 evicted',
      'pod/managed-2 evicted',
      'node/n1 drained',
    ]);
    const left = await api.ok(`{ pods(fieldSelector: "spec.nodeName=n1") { edges { node { metadata { name } } } } }`);
    expect(left.pods.edges).toEqual([]);
    expect(await manifest('pod', 'elsewhere')).not.toBeNull();
  });
});
