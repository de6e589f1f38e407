/**
 * The whole plane (controller-manager, scheduler and node agents as processes, each with the
 * least-privileged identity npm start gives it): the Kubernetes documentation's ConfigMap and
 * Secret examples consumed by pods, the Events components record, default ServiceAccounts, and a
 * LoadBalancer Service that explains its pending EXTERNAL-IP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { CONFIGMAP_DEMO_POD, ENV_SINGLE_SECRET_POD, GAME_DEMO_CONFIGMAP, NGINX_DEPLOYMENT, SECRET_TEST_POD, TEST_SECRET } from '../support/manifests.js';
import { eventually, startComponent, stopAllComponents } from '../support/processes.js';

let api: TestApi;
/** The agents' process, whose output a failure shows. */
let agentsOutput: () => string = () => '';
const APPLY = `mutation($m: String!) { apply(manifests: $m) { objects { kind name action } } }`;
const EVENTS = `query($s: String) { events(fieldSelector: $s, first: 1000) { edges { node { involvedObject { kind namespace name fieldPath } reason message type count source { component host } } } } }`;
const eventsAbout = async (kind: string, name: string) =>
  (await api.ok(EVENTS, { s: `involvedObject.kind=${kind},involvedObject.name=${name}` })).events.edges.map((e: any) => e.node);
const pod = async (name: string) => (await api.ok(`query($n: String!) { pod(namespace: "default", name: $n) { manifest } }`, { n: name })).pod?.manifest;
const waiting = (p: any) => p?.status?.containerStatuses?.[0]?.state?.waiting;

async function tokenOf(name: string): Promise<string> {
  return (await api.ok(`mutation($n: String!) { createServiceAccountToken(namespace: "kube-system", name: $n) { token } }`, { n: name })).createServiceAccountToken.token;
}

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  const server = ['--server', api.server.url];
  const controllers = startComponent('controllers/main.ts', [...server, '--token', await tokenOf('kube-controller-manager')]);
  startComponent('scheduler/main.ts', [...server, '--token', await tokenOf('kube-scheduler'), '--initial-backoff-ms', '200', '--max-backoff-ms', '1000']);
  const agents = startComponent('agent/main.ts', [...server, '--token', await tokenOf('node-bootstrapper'), '--node-tokens', '--nodes', '2', '--lease-interval-ms', '500']);
  agentsOutput = () => agents.output();
  await eventually(() => agents.output().includes('nodes registered'), 30_000, () => agents.output());
  await eventually(() => /controller-manager: .*against/.test(controllers.output()), 30_000, () => controllers.output());
}, 60_000);

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

describe('ConfigMaps and Secrets consumed by pods', () => {
  it('a pod mounting a missing ConfigMap stays ContainerCreating with FailedMount, and starts once the ConfigMap exists', async () => {
    await api.ok(APPLY, { m: CONFIGMAP_DEMO_POD });
    const stuck = await eventually(async () => {
      const p = await pod('configmap-demo-pod');
      return waiting(p)?.reason === 'ContainerCreating' ? p : undefined;
    }, 20_000);
    expect(stuck.status.phase).toBe('Pending');
    expect(stuck.spec.nodeName).toMatch(/^node-/);
    const failed = await eventually(async () => (await eventsAbout('Pod', 'configmap-demo-pod')).find((e: any) => e.reason === 'FailedMount'), 20_000, agentsOutput);
    expect(failed).toMatchObject({ type: 'Warning', message: 'MountVolume.SetUp failed for volume "config" : configmap "game-demo" not found', source: { component: 'kubelet', host: stuck.spec.nodeName } });

    await api.ok(APPLY, { m: GAME_DEMO_CONFIGMAP });
    const running = await eventually(async () => {
      const p = await pod('configmap-demo-pod');
      return p?.status?.phase === 'Running' ? p : undefined;
    }, 30_000);
    expect(running.status.containerStatuses[0].state.running).toBeDefined();
    // Events go out after the status they follow: wait for them.
    const wanted = ['Scheduled', 'FailedMount', 'Pulled', 'Created', 'Started'];
    await eventually(async () => {
      const reasons = (await eventsAbout('Pod', 'configmap-demo-pod')).map((e: any) => e.reason);
      return wanted.every((r) => reasons.includes(r));
    }, 20_000);
  }, 60_000);

  it('a pod whose env names a missing Secret shows CreateContainerConfigError with the kubelet message, then runs once it exists', async () => {
    await api.ok(APPLY, { m: ENV_SINGLE_SECRET_POD });
    const stuck = await eventually(async () => {
      const p = await pod('env-single-secret');
      return waiting(p)?.reason === 'CreateContainerConfigError' ? p : undefined;
    }, 20_000);
    expect(waiting(stuck).message).toBe('secret "backend-user" not found');
    const failed = await eventually(async () => (await eventsAbout('Pod', 'env-single-secret')).find((e: any) => e.reason === 'Failed'), 10_000);
    expect(failed).toMatchObject({ type: 'Warning', message: 'Error: secret "backend-user" not found' });

    // The Secret without the key: still waiting, now for the key.
    await api.ok(APPLY, { m: 'apiVersion: v1\nkind: Secret\nmetadata: { name: backend-user }\nstringData: { other: x }\n' });
    await eventually(async () => waiting(await pod('env-single-secret'))?.message === "couldn't find key backend-username in Secret default/backend-user", 30_000);
    await api.ok(APPLY, { m: 'apiVersion: v1\nkind: Secret\nmetadata: { name: backend-user }\nstringData: { backend-username: backend-admin }\n' });
    await eventually(async () => (await pod('env-single-secret'))?.status?.phase === 'Running', 30_000);
  }, 90_000);

  it('a pod mounting an existing Secret runs at once', async () => {
    await api.ok(APPLY, { m: `${TEST_SECRET}---\n${SECRET_TEST_POD}` });
    await eventually(async () => (await pod('secret-test-pod'))?.status?.phase === 'Running', 20_000);
    expect((await eventsAbout('Pod', 'secret-test-pod')).map((e: any) => e.reason)).not.toContain('FailedMount');
  }, 30_000);
});

describe('Events as Kubernetes records them', () => {
  it("the documentation's nginx Deployment: ScalingReplicaSet, SuccessfulCreate, Scheduled, Pulled, Created, Started", async () => {
    await api.ok(APPLY, { m: NGINX_DEPLOYMENT });
    const deploymentEvents = await eventually(async () => {
      const e = await eventsAbout('Deployment', 'nginx-deployment');
      return e.length ? e : undefined;
    }, 20_000);
    expect(deploymentEvents[0]).toMatchObject({ type: 'Normal', reason: 'ScalingReplicaSet', source: { component: 'deployment-controller' } });
    expect(deploymentEvents[0].message).toMatch(/^Scaled up replica set nginx-deployment-[a-z0-9]+ from 0 to 3$/);
    const rsName = deploymentEvents[0].message.split(' ')[4];
    const rsEvents = await eventually(async () => {
      const e = await eventsAbout('ReplicaSet', rsName);
      return e.length === 3 ? e : undefined;
    }, 20_000);
    for (const e of rsEvents) expect(e).toMatchObject({ reason: 'SuccessfulCreate', source: { component: 'replicaset-controller' } });
    const podName = rsEvents[0].message.replace('Created pod: ', '');
    const podEvents = await eventually(async () => {
      const e = await eventsAbout('Pod', podName);
      return e.some((x: any) => x.reason === 'Started') ? e : undefined;
    }, 20_000);
    const scheduled = podEvents.find((e: any) => e.reason === 'Scheduled');
    expect(scheduled).toMatchObject({ type: 'Normal', source: { component: 'default-scheduler' } });
    expect(scheduled.message).toMatch(new RegExp(`^Successfully assigned default/${podName} to node-[01]$`));
    expect(podEvents.find((e: any) => e.reason === 'Pulled')).toMatchObject({ involvedObject: { fieldPath: 'spec.containers{nginx}' }, message: 'Container image "nginx:1.14.2" already present on machine' });
    expect(podEvents.find((e: any) => e.reason === 'Created').message).toBe('Created container nginx');

    // Scaled down: ScalingReplicaSet and SuccessfulDelete.
    await api.ok(`mutation { scaleDeployment(namespace: "default", name: "nginx-deployment", replicas: 1) { metadata { name } } }`);
    await eventually(async () => (await eventsAbout('Deployment', 'nginx-deployment')).some((e: any) => e.message === `Scaled down replica set ${rsName} from 3 to 1`), 20_000);
    await eventually(async () => (await eventsAbout('ReplicaSet', rsName)).filter((e: any) => e.reason === 'SuccessfulDelete').length === 2, 20_000);
  }, 60_000);

  it('a pod that fits nowhere gets FailedScheduling with the scheduler message', async () => {
    await api.ok(APPLY, { m: 'apiVersion: v1\nkind: Pod\nmetadata: { name: huge }\nspec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: "64" } } }] }\n' });
    const failed = await eventually(async () => (await eventsAbout('Pod', 'huge')).find((e: any) => e.reason === 'FailedScheduling'), 20_000);
    expect(failed).toMatchObject({ type: 'Warning', source: { component: 'default-scheduler' }, message: '0/2 nodes are available: 2 Insufficient cpu.' });
  }, 30_000);
});

describe('Services and accounts as users expect', () => {
  it('every namespace has a default ServiceAccount, made again when deleted', async () => {
    await api.ok(`mutation { createNamespace(input: { metadata: { name: "team-a" } }) { metadata { name } } }`);
    const SA = `query($ns: String!) { serviceAccount(namespace: $ns, name: "default") { metadata { uid } } }`;
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'team-a'])
      await eventually(async () => (await api.ok(SA, { ns })).serviceAccount !== null, 20_000);
    const uid = (await api.ok(SA, { ns: 'team-a' })).serviceAccount.metadata.uid;
    await api.ok(`mutation { deleteServiceAccount(namespace: "team-a", name: "default") { metadata { name } } }`);
    await eventually(async () => {
      const again = (await api.ok(SA, { ns: 'team-a' })).serviceAccount;
      return again && again.metadata.uid !== uid;
    }, 20_000);
  }, 60_000);

  it("node Leases live in kube-node-lease", async () => {
    const leases = await api.ok(`{ leases(namespace: "kube-node-lease") { edges { node { metadata { name } spec { holderIdentity } } } } }`);
    expect(leases.leases.edges.map((e: any) => e.node.metadata.name).sort()).toEqual(['node-0', 'node-1']);
  });

  it('a LoadBalancer Service gets nodePorts and a Warning Event saying why EXTERNAL-IP stays <pending>', async () => {
    await api.ok(APPLY, { m: 'apiVersion: v1\nkind: Service\nmetadata: { name: lb }\nspec: { type: LoadBalancer, selector: { app: nginx }, ports: [{ port: 80, nodePort: 31080 }] }\n' });
    const pending = await eventually(async () => (await eventsAbout('Service', 'lb')).find((e: any) => e.reason === 'LoadBalancerPending'), 20_000);
    expect(pending).toMatchObject({ type: 'Warning', source: { component: 'service-controller' } });
    expect(pending.message).toBe("No load-balancer implementation in this cluster: EXTERNAL-IP stays <pending>; the Service is reachable on its ClusterIP and on every node's port 31080/TCP");
  }, 30_000);
});
