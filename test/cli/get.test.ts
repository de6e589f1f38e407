/** kq get and describe against a real API server: kubectl's column layouts per kind, -A, -n, selectors, -o formats, -w, and exit codes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually } from '../support/processes.js';
import { kqFor } from '../support/kq.js';
import { parseTable } from './table.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: { name: other }
---
apiVersion: v1
kind: Node
metadata: { name: n1, labels: { node-role.kubernetes.io/worker: "" } }
---
apiVersion: v1
kind: Node
metadata: { name: n2, labels: { node-role.kubernetes.io/control-plane: "" } }
spec: { unschedulable: true }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, labels: { app: web } }
spec: { containers: [{ name: app, image: nginx }, { name: side, image: envoy }] }
---
apiVersion: v1
kind: Pod
metadata: { name: web-2, labels: { app: web } }
spec: { containers: [{ name: app, image: nginx }] }
---
apiVersion: v1
kind: Pod
metadata: { name: db, labels: { app: db } }
spec: { containers: [{ name: db, image: postgres }] }
---
apiVersion: v1
kind: Pod
metadata: { name: elsewhere, namespace: other }
spec: { containers: [{ name: app, image: nginx }] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ name: http, port: 80, targetPort: 8080 }, { name: dns, port: 53, protocol: UDP }] }
---
apiVersion: v1
kind: Service
metadata: { name: edge }
spec: { type: NodePort, selector: { app: web }, ports: [{ port: 443, nodePort: 30443 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: shop } }
  template: { metadata: { labels: { app: shop } }, spec: { containers: [{ name: app, image: "shop:1" }] } }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: shop-abc }
spec:
  replicas: 3
  selector: { matchLabels: { app: shop } }
  template: { metadata: { labels: { app: shop } }, spec: { containers: [{ name: app, image: "shop:1" }] } }
---
apiVersion: v1
kind: Endpoints
metadata: { name: web }
subsets:
- addresses: [{ ip: 10.128.0.1 }, { ip: 10.128.0.2 }, { ip: 10.128.0.3 }, { ip: 10.128.0.4 }]
  ports: [{ port: 8080 }]
---
apiVersion: v1
kind: ResourceQuota
metadata: { name: q, namespace: other }
spec: { hard: { pods: "10", requests.cpu: "2", limits.memory: 1Gi } }
`;

beforeAll(async () => {
  api = await startTestApi();
  kq = kqFor({ url: api.server.url, token: api.token });
  await api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, { m: MANIFESTS });
  await api.ok(`mutation { bindPod(namespace: "default", name: "web-1", nodeName: "n1") { metadata { name } } }`);
  const running = (ready: boolean, restarts = 0) => ({ ready, restartCount: restarts, state: { running: { startedAt: '2024-01-01T00:00:00Z' } } });
  await api.ok(`mutation($s: JSON!) { updatePodStatus(namespace: "default", name: "web-1", status: $s) { metadata { name } } }`, {
    s: {
      phase: 'Running',
      podIP: '10.128.0.7',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'app', ...running(true, 2) },
        { name: 'side', ...running(true, 1) },
      ],
    },
  });
  await api.ok(`mutation($s: JSON!) { updatePodStatus(namespace: "default", name: "db", status: $s) { metadata { name } } }`, {
    s: { phase: 'Running', containerStatuses: [{ name: 'db', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
  });
  await api.ok(`mutation($s: JSON!) { updateNodeStatus(name: "n1", status: $s) { metadata { name } } }`, {
    s: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '192.168.0.11' }],
      nodeInfo: { kubeletVersion: 'v1.30.0-kubeql', osImage: 'Kubeql', kernelVersion: '6.1', containerRuntimeVersion: 'kubeql://1' },
    },
  });
  await api.ok(`mutation($s: JSON!) { updateDeploymentStatus(namespace: "default", name: "shop", status: $s) { metadata { name } } }`, {
    s: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  });
  await api.ok(`mutation($s: JSON!) { updateReplicaSetStatus(namespace: "default", name: "shop-abc", status: $s) { metadata { name } } }`, {
    s: { replicas: 3, readyReplicas: 1 },
  });
});

afterAll(async () => {
  await api?.close();
});

const AGE = /^\d+s$/;
const withoutAge = (rows: Array<Record<string, string>>) =>
  rows.map(({ AGE: age, ...rest }) => {
    expect(age).toMatch(AGE);
    return rest;
  });

describe("kq get: kubectl's columns per kind", () => {
  it('pods, services, deployments, replica sets, endpoints, nodes, namespaces and quotas', async () => {
    const runs = await Promise.all(
      [['pods'], ['svc'], ['deployments.apps'], ['rs'], ['ep'], ['no'], ['namespace'], ['quota', '-n', 'other']].map((a) => kq.run(['get', ...a])),
    );
    for (const r of runs) expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    const [pods, svc, deploy, rs, ep, nodes, ns, quota] = runs.map((r) => r.stdout);
    const header = (text: string) => text.split('\n')[0];

    expect(header(pods)).toMatch(/^NAME {3,}READY {3,}STATUS {3,}RESTARTS {3,}AGE$/);
    expect(withoutAge(parseTable(pods))).toEqual([
      { NAME: 'db', READY: '0/1', STATUS: 'CrashLoopBackOff', RESTARTS: '5' },
      { NAME: 'web-1', READY: '2/2', STATUS: 'Running', RESTARTS: '3' },
      { NAME: 'web-2', READY: '0/1', STATUS: 'Pending', RESTARTS: '0' },
    ]);

    expect(header(svc)).toMatch(/^NAME {3,}TYPE {3,}CLUSTER-IP {3,}EXTERNAL-IP {3,}PORT\(S\) {3,}AGE$/);
    const svcRows = parseTable(svc);
    expect(svcRows.map((r) => [r.NAME, r.TYPE, r['EXTERNAL-IP'], r['PORT(S)']])).toEqual([
      ['edge', 'NodePort', '<none>', '443:30443/TCP'],
      ['web', 'ClusterIP', '<none>', '80/TCP,53/UDP'],
    ]);
    for (const r of svcRows) expect(r['CLUSTER-IP']).toMatch(/^10\.96\.\d+\.\d+$/);

    expect(header(deploy)).toMatch(/^NAME {3,}READY {3,}UP-TO-DATE {3,}AVAILABLE {3,}AGE$/);
    expect(withoutAge(parseTable(deploy))).toEqual([{ NAME: 'shop', READY: '2/3', 'UP-TO-DATE': '3', AVAILABLE: '2' }]);
    expect(header(rs)).toMatch(/^NAME {3,}DESIRED {3,}CURRENT {3,}READY {3,}AGE$/);
    expect(withoutAge(parseTable(rs))).toEqual([{ NAME: 'shop-abc', DESIRED: '3', CURRENT: '3', READY: '1' }]);
    expect(header(ep)).toMatch(/^NAME {3,}ENDPOINTS {3,}AGE$/);
    expect(withoutAge(parseTable(ep))).toEqual([{ NAME: 'web', ENDPOINTS: '10.128.0.1:8080,10.128.0.2:8080,10.128.0.3:8080 + 1 more...' }]);

    expect(header(nodes)).toMatch(/^NAME {3,}STATUS {3,}ROLES {3,}AGE {3,}VERSION$/);
    expect(withoutAge(parseTable(nodes))).toEqual([
      { NAME: 'n1', STATUS: 'Ready', ROLES: 'worker', VERSION: 'v1.30.0-kubeql' },
      { NAME: 'n2', STATUS: 'Unknown,SchedulingDisabled', ROLES: 'control-plane', VERSION: '<none>' },
    ]);
    expect(header(ns)).toMatch(/^NAME {3,}STATUS {3,}AGE$/);
    expect(withoutAge(parseTable(ns)).filter((r) => ['default', 'other'].includes(r.NAME))).toEqual([
      { NAME: 'default', STATUS: 'Active' },
      { NAME: 'other', STATUS: 'Active' },
    ]);
    expect(parseTable(quota)).toEqual([{ NAME: 'q', AGE: expect.stringMatching(AGE), REQUEST: expect.stringMatching(/^pods: \d\/10, requests.cpu: \d\/2$/), LIMIT: expect.stringMatching(/^limits.memory: \d+\/1Gi$/) }]);
  });

  it('-o wide adds columns; -A adds NAMESPACE; -n picks the namespace; several kinds prefix their names', async () => {
    const [wide, all, other, nodesWide, mixed] = await Promise.all([
      kq.run(['get', 'po', 'web-1', '-o', 'wide']),
      kq.run(['get', 'pods', '-A']),
      kq.run(['get', 'pods', '-n', 'other']),
      kq.run(['get', 'nodes', 'n1', '-owide']),
      kq.run(['get', 'deploy,svc']),
    ]);
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$/);
    expect(parseTable(wide.stdout)[0]).toMatchObject({ NAME: 'web-1', IP: '10.128.0.7', NODE: 'n1', 'NOMINATED NODE': '<none>' });
    expect(all.stdout.split('\n')[0]).toMatch(/^NAMESPACE +NAME +READY/);
    expect(parseTable(all.stdout).map((r) => `${r.NAMESPACE}/${r.NAME}`)).toEqual(['default/db', 'default/web-1', 'default/web-2', 'other/elsewhere']);
    expect(parseTable(other.stdout).map((r) => r.NAME)).toEqual(['elsewhere']);
    expect(parseTable(nodesWide.stdout)[0]).toMatchObject({ 'INTERNAL-IP': '192.168.0.11', 'OS-IMAGE': 'Kubeql', 'CONTAINER-RUNTIME': 'kubeql://1' });
    const [deployTable, svcTable] = mixed.stdout.split('\n\n');
    expect(parseTable(deployTable).map((r) => r.NAME)).toEqual(['deployment.apps/shop']);
    expect(parseTable(svcTable).map((r) => r.NAME)).toEqual(['service/edge', 'service/web']);
  });

  it('selects by label and field, and prints yaml, json and names', async () => {
    const [byLabel, byField, json, yaml, list, names] = await Promise.all([
      kq.run(['get', 'pods', '-l', 'app=web', '-o', 'name']),
      kq.run(['get', 'pods', '--field-selector', 'spec.nodeName=n1', '-o', 'name']),
      kq.run(['get', 'deploy', 'shop', '-o', 'json']),
      kq.run(['get', 'svc/web', '-o', 'yaml']),
      kq.run(['get', 'pods', '-l', 'app in (db)', '-o', 'yaml']),
      kq.run(['get', 'all', '-o', 'name']),
    ]);
    expect(byLabel.stdout).toBe('pod/web-1\npod/web-2\n');
    expect(byField.stdout).toBe('pod/web-1\n');
    expect(JSON.parse(json.stdout)).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop', namespace: 'default' },
      spec: { replicas: 3 },
      status: { readyReplicas: 2 },
    });
    expect(yaml.stdout).toMatch(/^apiVersion: v1\nkind: Service\nmetadata:\n {2}name: web\n/);
    expect(yaml.stdout).toMatch(/\n {2}ports:\n {2}- name: http\n/); // lists flush with their key, as kubectl writes them
    expect(list.stdout).toMatch(/^apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n {2}kind: Pod\n {2}metadata:\n {4}name: db\n/);
    expect(names.stdout).toBe('pod/db\npod/web-1\npod/web-2\nservice/edge\nservice/web\ndeployment.apps/shop\nreplicaset.apps/shop-abc\n');
  });

  it('says when nothing matches (exit 0), and exits 1 on a missing name, an unknown kind, a bad selector or format', async () => {
    const [empty, missing, some, kind, selector, format, acrossAll] = await Promise.all([
      kq.run(['get', 'pods', '-l', 'app=none']),
      kq.run(['get', 'pod', 'nope']),
      kq.run(['get', 'pods', 'web-2', 'nope']),
      kq.run(['get', 'gizmos']),
      kq.run(['get', 'pods', '-l', 'a in (']),
      kq.run(['get', 'pods', '-o', 'table2']),
      kq.run(['get', 'pod', 'web-1', '-A']),
    ]);
    expect(empty).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    expect(some.code).toBe(1);
    expect(parseTable(some.stdout).map((r) => r.NAME)).toEqual(['web-2']);
    expect(some.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
    expect(kind).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining(`the server doesn't have a resource type "gizmos"`) });
    expect(selector).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error from server \(BadRequest\): .*a in \(/) });
    expect(format).toMatchObject({ code: 1, stderr: expect.stringContaining('allowed formats are: wide,yaml,json,name') });
    expect(acrossAll).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot be retrieved by name across all namespaces') });
  });
});

describe('kq describe', () => {
  it("prints kubectl's layout: metadata, a summary per kind, then the fields as words", async () => {
    const [pod, deploy, missing] = await Promise.all([
      kq.run(['describe', 'pod', 'web-1']),
      kq.run(['describe', 'deploy/shop']),
      kq.run(['describe', 'svc', 'nope']),
    ]);
    expect(pod.code).toBe(0);
    expect(pod.stdout).toMatch(/^Name: +web-1\nNamespace: +default\nLabels: +app=web\n/);
    expect(pod.stdout).toMatch(/^Node: +n1$/m);
    expect(pod.stdout).toMatch(/^Status: +Running$/m);
    expect(pod.stdout).toMatch(/^IP: +10\.128\.0\.7$/m);
    // A heading per container, then the pod's Conditions, QoS Class and Events, as kubectl lays them out.
    expect(pod.stdout).toMatch(/^Containers:\n {2}[a-z0-9-]+:\n {4}Image: +\S+\n/m);
    expect(pod.stdout).toMatch(/^QoS Class: +(BestEffort|Burstable|Guaranteed)$/m);
    expect(pod.stdout).toMatch(/^Events: +<none>$/m);
    expect(deploy.stdout).toMatch(/^Replicas: +3 desired \| 3 updated \| 3 total \| 2 available \| 0 unavailable$/m);
    expect(deploy.stdout).toMatch(/^Selector: +app=shop$/m);
    expect(deploy.stdout).toMatch(/^StrategyType: +RollingUpdate$/m);
    expect(deploy.stdout).toMatch(/^RollingUpdateStrategy: +25% max unavailable, 25% max surge$/m);
    // The pod template with a heading per container, then Conditions and Events, as kubectl lays them out.
    expect(deploy.stdout).toMatch(/^Pod Template:\n {2}Labels: +app=shop\n {2}Containers:\n {4}[a-z0-9-]+:\n {6}Image: +\S+\n/m);
    expect(deploy.stdout).toMatch(/^Events: +<none>\n$/m);
    expect(missing).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): services "nope" not found\n' });
  });
});

describe('kq get -w', () => {
  it('prints the current objects, then each change another client makes, as it happens', async () => {
    const watch = kq.start(['get', 'pods', '-l', 'app=web', '-w', '--output-watch-events']);
    try {
      await eventually(() => watch.stdout().includes('web-2'), 20_000, () => watch.stdout() + watch.stderr());
      await api.ok(`mutation { patchPod(namespace: "default", name: "web-2", patch: { metadata: { labels: { tier: "x" } } }) { metadata { name } } }`);
      await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
        i: { metadata: { name: 'web-3', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      });
      await api.ok(`mutation { deletePod(namespace: "default", name: "web-3") { metadata { name } } }`);
      await api.ok(`mutation { createPod(input: { metadata: { name: "unrelated" }, spec: { containers: [{ name: "a", image: "b" }] } }) { metadata { name } } }`);
      await eventually(() => /DELETED +web-3/.test(watch.stdout()), 20_000, () => watch.stdout() + watch.stderr());
      expect(parseTable(watch.stdout()).map((r) => `${r.EVENT} ${r.NAME}`)).toEqual(['ADDED web-1', 'ADDED web-2', 'MODIFIED web-2', 'ADDED web-3', 'DELETED web-3']);
      expect(watch.stderr()).toBe('');
    } finally {
      await watch.stop();
    }
  });
});
