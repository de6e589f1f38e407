/**
 * kq get and describe for Job, DaemonSet and StatefulSet with kubectl's columns (and -o wide), on
 * the docs' manifests; the test plays their controllers through public status writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { kqFor } from '../support/kq.js';
import { FLUENTD_DAEMONSET, PI_JOB, WEB_STATEFULSET } from '../support/manifests.js';
import { parseTable } from './table.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;

const status = (kind: string, namespace: string, name: string, s: Record<string, unknown>) =>
  api.ok(`mutation($ns: String!, $n: String!, $s: JSON!) { update${kind}Status(namespace: $ns, name: $n, status: $s) { metadata { name } } }`, { ns: namespace, n: name, s });

beforeAll(async () => {
  api = await startTestApi();
  kq = kqFor({ url: api.server.url, token: api.token });
  const apply = (m: string) => api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, { m });
  await apply(PI_JOB);
  await apply(FLUENTD_DAEMONSET);
  await apply(WEB_STATEFULSET);
  await apply(`apiVersion: batch/v1
kind: Job
metadata: { name: queue }
spec:
  parallelism: 3
  template: { spec: { restartPolicy: OnFailure, containers: [{ name: worker, image: "worker:1" }] } }
`);
  await status('Job', 'default', 'pi', {
    startTime: '2026-01-01T10:00:00Z',
    completionTime: '2026-01-01T10:01:05Z',
    succeeded: 1,
    ready: 0,
    conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached' }],
  });
  await status('Job', 'default', 'queue', { startTime: new Date(Date.now() - 30_000).toISOString(), active: 3, ready: 2 });
  await status('DaemonSet', 'kube-system', 'fluentd-elasticsearch', { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 });
  await status('StatefulSet', 'default', 'web', { replicas: 2, readyReplicas: 1, availableReplicas: 1 });
});
afterAll(() => api?.close());

describe('kq get and describe for jobs, daemonsets and statefulsets', () => {
  it("prints kubectl's columns", async () => {
    const [jobs, ds, sts] = await Promise.all([kq.run(['get', 'jobs']), kq.run(['get', 'ds', '-n', 'kube-system']), kq.run(['get', 'statefulsets'])]);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stdout.split('\n')[0].split(/ {2,}/)).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    const jobRows = parseTable(jobs.stdout);
    expect(jobRows.map(({ AGE: _, ...r }) => r)).toEqual([
      { NAME: 'pi', STATUS: 'Complete', COMPLETIONS: '1/1', DURATION: '65s' },
      { NAME: 'queue', STATUS: 'Running', COMPLETIONS: '0/1 of 3', DURATION: expect.stringMatching(/^3\ds$/) },
    ]);
    expect(ds.stdout.split('\n')[0].split(/ {2,}/)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(parseTable(ds.stdout).map(({ AGE: _, ...r }) => r)).toEqual([
      { NAME: 'fluentd-elasticsearch', DESIRED: '3', CURRENT: '3', READY: '2', 'UP-TO-DATE': '3', AVAILABLE: '2', 'NODE SELECTOR': '<none>' },
    ]);
    expect(parseTable(sts.stdout).map(({ AGE: _, ...r }) => r)).toEqual([{ NAME: 'web', READY: '1/2' }]);
  });

  it('-o wide adds the containers, images and (but for a StatefulSet) the selector', async () => {
    const [jobs, ds, sts] = await Promise.all([kq.run(['get', 'job', 'pi', '-o', 'wide']), kq.run(['get', 'daemonsets.apps', '-A', '-o', 'wide']), kq.run(['get', 'sts', '-o', 'wide'])]);
    const job = parseTable(jobs.stdout)[0];
    expect(job.CONTAINERS).toBe('pi');
    expect(job.IMAGES).toBe('perl:5.34.0');
    expect(job.SELECTOR).toMatch(/^batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}$/);
    const d = parseTable(ds.stdout)[0];
    expect(d).toMatchObject({ NAMESPACE: 'kube-system', CONTAINERS: 'fluentd-elasticsearch', IMAGES: 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2', SELECTOR: 'name=fluentd-elasticsearch' });
    expect(sts.stdout.split('\n')[0].split(/ {2,}/)).toEqual(['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
    expect(parseTable(sts.stdout)[0]).toMatchObject({ CONTAINERS: 'nginx', IMAGES: 'registry.k8s.io/nginx-slim:0.24' });
  });

  it("describes each with kubectl's summary lines", async () => {
    const [job, ds, sts] = await Promise.all([kq.run(['describe', 'job', 'pi']), kq.run(['describe', 'ds', 'fluentd-elasticsearch', '-n', 'kube-system']), kq.run(['describe', 'statefulset/web'])]);
    expect(job.stdout).toMatch(/^Start Time: +Thu, 01 Jan 2026 10:00:00 \+0000$/m);
    expect(job.stdout).toMatch(/^Completed At: +Thu, 01 Jan 2026 10:01:05 \+0000$/m);
    expect(job.stdout).toMatch(/^Duration: +65s$/m);
    expect(job.stdout).toMatch(/^Pods Statuses: +0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m);
    expect(ds.stdout).toMatch(/^Desired Number of Nodes Scheduled: +3$/m);
    expect(ds.stdout).toMatch(/^Number of Nodes Scheduled with Available Pods: +2$/m);
    expect(ds.stdout).toMatch(/^Node-Selector: +<none>$/m);
    expect(sts.stdout).toMatch(/^Replicas: +2 desired \| 2 total$/m);
    expect(sts.stdout).toMatch(/^Kind: +StatefulSet$/m);
  });

  it('scales a StatefulSet through its scale subresource; a Job has none', async () => {
    const scaled = await kq.run(['scale', 'statefulset', 'web', '--replicas=3']);
    expect(scaled).toMatchObject({ code: 0, stdout: 'statefulset.apps/web scaled\n' });
    const sts = (await api.ok(`{ statefulSet(namespace: "default", name: "web") { spec { replicas } } }`)).statefulSet;
    expect(sts.spec.replicas).toBe(3);
    const job = await kq.run(['scale', 'job', 'pi', '--replicas=3']);
    expect(job.code).toBe(1);
    expect(job.stderr).not.toBe('');
  });

  it("rollout status follows daemon sets and statefulsets with kubectl's messages; rollout restart stamps their template", async () => {
    const generation = async (field: string, ns: string, name: string) => (await api.ok(`{ o: ${field}(namespace: "${ns}", name: "${name}") { metadata { generation } } }`)).o.metadata.generation;
    await status('DaemonSet', 'kube-system', 'fluentd-elasticsearch', {
      observedGeneration: await generation('daemonSet', 'kube-system', 'fluentd-elasticsearch'),
      desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0,
    });
    const ds = await kq.run(['rollout', 'status', 'ds/fluentd-elasticsearch', '-n', 'kube-system', '--watch=false']);
    expect(ds).toMatchObject({ code: 0, stdout: 'Waiting for daemon set "fluentd-elasticsearch" rollout to finish: 2 of 3 updated pods are available...\n' });
    const stsGeneration = await generation('statefulSet', 'default', 'web');
    await status('StatefulSet', 'default', 'web', { observedGeneration: stsGeneration, replicas: 3, readyReplicas: 1, availableReplicas: 1 });
    expect((await kq.run(['rollout', 'status', 'statefulset/web', '--watch=false'])).stdout).toBe('Waiting for 2 pods to be ready...\n');
    await status('StatefulSet', 'default', 'web', { observedGeneration: stsGeneration, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: 'web-abc', updateRevision: 'web-abc' });
    expect((await kq.run(['rollout', 'status', 'sts/web'])).stdout).toBe('statefulset rolling update complete 3 pods at revision web-abc...\n');
    const job = await kq.run(['rollout', 'status', 'job/pi']);
    expect(job).toMatchObject({ code: 1, stderr: expect.stringContaining('name a deployment, daemon set or statefulset') });

    expect(await kq.run(['rollout', 'restart', 'daemonset/fluentd-elasticsearch', '-n', 'kube-system'])).toMatchObject({ code: 0, stdout: 'daemonset.apps/fluentd-elasticsearch restarted\n' });
    const restarted = (await api.ok(`{ daemonSet(namespace: "kube-system", name: "fluentd-elasticsearch") { manifest } }`)).daemonSet.manifest;
    expect(restarted.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
