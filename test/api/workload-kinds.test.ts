/** Job, DaemonSet and StatefulSet as the API stores them: Kubernetes' defaults, generated fields and validation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { FLUENTD_DAEMONSET, PI_JOB, WEB_STATEFULSET } from '../support/manifests.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const APPLY = `mutation($m: String!) { apply(manifests: $m) { objects { kind namespace name action } warnings } }`;
const get = async (field: string, namespace: string, name: string) =>
  (await api.ok(`query($ns: String!, $n: String!) { o: ${field}(namespace: $ns, name: $n) { manifest } }`, { ns: namespace, n: name })).o.manifest;

/** A request that must fail with BAD_USER_INPUT naming `field`, leaving every table as it was. */
async function refused(document: string, variables: Record<string, unknown>, field: string, message?: RegExp) {
  const before = snapshotTables(api.db());
  const res = await api.gql(document, variables);
  expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res)).toBe('BAD_USER_INPUT');
  expect(res.errors![0].extensions!.field).toBe(field);
  if (message) expect(res.errors![0].message).toMatch(message);
  expect(snapshotTables(api.db())).toBe(before);
}

const template = (restartPolicy?: string) => ({
  metadata: { labels: { app: 'x' } },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...(restartPolicy ? { restartPolicy } : {}) },
});

describe('Job', () => {
  it("applies the docs' pi Job unchanged: defaults, the generated selector and the pods' job labels from its uid", async () => {
    const res = await api.ok(APPLY, { m: PI_JOB });
    expect(res.apply.objects).toEqual([{ kind: 'Job', namespace: 'default', name: 'pi', action: 'created' }]);
    const job = await get('job', 'default', 'pi');
    const uid = job.metadata.uid;
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 4, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed' });
    expect(job.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' };
    expect(job.spec.template.metadata.labels).toEqual(labels);
    expect(job.metadata.labels).toEqual(labels);
    expect(job.spec.template.spec).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    // Re-applied unchanged: the generated selector and labels survive the three-way merge.
    expect((await api.ok(APPLY, { m: PI_JOB })).apply.objects[0].action).toBe('unchanged');
  });

  it('refuses restartPolicy Always, a hand-written selector without manualSelector, Indexed completion and a changed template', async () => {
    const CREATE = `mutation($i: JobInput!) { createJob(input: $i) { metadata { name } } }`;
    await refused(CREATE, { i: { metadata: { name: 'always' }, spec: { template: template('Always') } } }, 'input.spec.template.spec.restartPolicy', /supported values: "OnFailure", "Never"/);
    await refused(CREATE, { i: { metadata: { name: 'unset' }, spec: { template: template() } } }, 'input.spec.template.spec.restartPolicy');
    await refused(CREATE, { i: { metadata: { name: 'sel' }, spec: { selector: { matchLabels: { app: 'x' } }, template: template('Never') } } }, 'input.spec.selector', /not auto-generated/);
    await refused(CREATE, { i: { metadata: { name: 'idx' }, spec: { completionMode: 'Indexed', template: template('Never') } } }, 'input.spec.completionMode');
    await refused(CREATE, { i: { metadata: { name: 'neg' }, spec: { backoffLimit: -1, template: template('Never') } } }, 'input.spec.backoffLimit');
    // manualSelector: the user's selector is kept as given.
    const manual = await api.ok(`mutation($i: JobInput!) { createJob(input: $i) { manifest } }`, {
      i: { metadata: { name: 'manual' }, spec: { manualSelector: true, selector: { matchLabels: { app: 'x' } }, template: template('OnFailure') } },
    });
    expect(manual.createJob.manifest.spec.selector).toEqual({ matchLabels: { app: 'x' } });
    expect(manual.createJob.manifest.spec.template.metadata.labels).toEqual({ app: 'x' });
    await refused(`mutation { patchJob(namespace: "default", name: "pi", patch: { spec: { template: { spec: { containers: [{ name: "pi", image: "perl:5.36" }] } } } }) { metadata { name } } }`, {}, 'patch.spec.template', /immutable/);
    await refused(`mutation { patchJob(namespace: "default", name: "pi", patch: { spec: { completions: 3 } }) { metadata { name } } }`, {}, 'patch.spec.completions', /immutable/);
  });
});

describe('DaemonSet', () => {
  it("applies the docs' fluentd-elasticsearch unchanged: RollingUpdate maxUnavailable 1 / maxSurge 0, revisionHistoryLimit 10; volumes reported, kept", async () => {
    const res = await api.ok(APPLY, { m: FLUENTD_DAEMONSET });
    expect(res.apply.objects).toEqual([{ kind: 'DaemonSet', namespace: 'kube-system', name: 'fluentd-elasticsearch', action: 'created' }]);
    expect(res.apply.warnings).toEqual([
      'manifests[0]: unknown field "spec.template.spec.containers[0].volumeMounts"',
      'manifests[0]: unknown field "spec.template.spec.volumes"',
    ]);
    const ds = await get('daemonSet', 'kube-system', 'fluentd-elasticsearch');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(ds.spec.template.spec.volumes).toEqual([{ name: 'varlog', hostPath: { path: '/var/log' } }]);
    expect(ds.status).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  });

  it('refuses restartPolicy Never, maxUnavailable and maxSurge both 0, and a changed selector', async () => {
    const CREATE = `mutation($i: DaemonSetInput!) { createDaemonSet(input: $i) { metadata { name } } }`;
    const spec = (extra: Record<string, unknown>, restartPolicy?: string) => ({ selector: { matchLabels: { app: 'x' } }, template: template(restartPolicy), ...extra });
    await refused(CREATE, { i: { metadata: { name: 'never' }, spec: spec({}, 'Never') } }, 'input.spec.template.spec.restartPolicy');
    await refused(CREATE, { i: { metadata: { name: 'zero' }, spec: spec({ updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }) } }, 'input.spec.updateStrategy.rollingUpdate.maxUnavailable');
    await refused(CREATE, { i: { metadata: { name: 'pct' }, spec: spec({ updateStrategy: { rollingUpdate: { maxUnavailable: 'ten' } } }) } }, 'input.spec.updateStrategy.rollingUpdate.maxUnavailable');
    await refused(`mutation { patchDaemonSet(namespace: "kube-system", name: "fluentd-elasticsearch", patch: { spec: { selector: { matchExpressions: [{ key: "name", operator: "Exists" }] } } }) { metadata { name } } }`, {}, 'patch.spec.selector', /immutable/);
  });
});

describe('StatefulSet', () => {
  it("applies the docs' web StatefulSet with its headless Service: OrderedReady, RollingUpdate partition 0, PVC templates kept with a warning", async () => {
    const res = await api.ok(APPLY, { m: WEB_STATEFULSET });
    expect(res.apply.objects).toEqual([
      { kind: 'Service', namespace: 'default', name: 'nginx', action: 'created' },
      { kind: 'StatefulSet', namespace: 'default', name: 'web', action: 'created' },
    ]);
    expect(res.apply.warnings).toEqual([
      'manifests[1]: unknown field "spec.template.spec.containers[0].volumeMounts"',
      'manifests[1]: unknown field "spec.volumeClaimTemplates"',
    ]);
    const sts = await get('statefulSet', 'default', 'web');
    expect(sts.spec).toMatchObject({
      replicas: 2,
      serviceName: 'nginx',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
    expect(sts.status).toEqual({ replicas: 0, availableReplicas: 0 });
    const svc = await get('service', 'default', 'nginx');
    expect(svc.spec.clusterIP).toBe('None');
  });

  it('scales through its scale subresource; refuses changes to fields other than the mutable ones', async () => {
    const scaled = await api.ok(`mutation { scaleStatefulSet(namespace: "default", name: "web", replicas: 5) { spec { replicas } metadata { generation } } }`);
    expect(scaled.scaleStatefulSet).toEqual({ spec: { replicas: 5 }, metadata: { generation: 2 } });
    await refused(`mutation { patchStatefulSet(namespace: "default", name: "web", patch: { spec: { serviceName: "other" } }) { metadata { name } } }`, {}, 'patch.spec', /updates to statefulset spec for fields other than/);
    await refused(`mutation { patchStatefulSet(namespace: "default", name: "web", patch: { spec: { podManagementPolicy: "Sometimes" } }) { metadata { name } } }`, {}, 'patch.spec.podManagementPolicy');
    await refused(`mutation { scaleStatefulSet(namespace: "default", name: "web", replicas: -1) { metadata { name } } }`, {}, 'replicas');
  });
});
