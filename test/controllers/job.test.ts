/**
 * The Job controller with the scheduler and real node agents: the docs' pi Job completes; parallel
 * completions never run more than parallelism pods at once; backoffLimit and activeDeadlineSeconds
 * fail a Job with Kubernetes' reasons; ttlSecondsAfterFinished deletes it; a kill -9 of the
 * controller-manager mid-work converges without a pod too many.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, manifests } from '../support/control-plane.js';
import { kqFor } from '../support/kq.js';
import { PI_JOB } from '../support/manifests.js';
import { parseTable } from '../cli/table.js';
import { eventually } from '../support/processes.js';
import { logRows, replayOwnedPods, startWorkloadPlane, type WorkloadPlane } from '../support/workload-plane.js';

let plane: WorkloadPlane;
beforeAll(async () => {
  plane = await startWorkloadPlane({ controllerEnv: { KUBEQL_JOB_BACKOFF_MS: '200' } });
});
afterAll(() => plane?.close());

const NS = 'default';
const APPLY = `mutation($m: String!) { apply(manifests: $m) { objects { name action } } }`;
const CREATE_JOB = `mutation($i: JobInput!) { createJob(input: $i) { metadata { uid } } }`;

const job = (name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}, restartPolicy = 'Never') => ({
  metadata: { name, namespace: NS },
  spec: {
    ...spec,
    template: { metadata: { annotations }, spec: { restartPolicy, containers: [{ name: 'work', image: 'busybox:1.36' }] } },
  },
});

const finishedJob = (name: string) =>
  eventually(async () => {
    const j = await manifest(plane.api, 'job', NS, name);
    return j?.status?.conditions?.some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') ? j : undefined;
  }, 40_000, () => plane.controllers.output().slice(-3000));

const podsOf = async (uid: string) => (await manifests(plane.api, 'pods', NS)).filter((p) => p.metadata.ownerReferences?.some((r: any) => r.uid === uid));

describe('job controller', () => {
  it("runs the docs' pi Job to completion: the pod Succeeded, status and conditions as Kubernetes reports them", async () => {
    await plane.api.ok(APPLY, { m: PI_JOB });
    const pi = await finishedJob('pi');
    const uid = pi.metadata.uid;
    expect(pi.status).toMatchObject({ succeeded: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(pi.status.active).toBeUndefined();
    expect(pi.status.failed).toBeUndefined();
    expect(pi.status.conditions).toEqual([
      expect.objectContaining({ type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' }),
    ]);
    expect(Date.parse(pi.status.completionTime)).toBeGreaterThanOrEqual(Date.parse(pi.status.startTime));
    const [pod] = await podsOf(uid);
    expect(pod.metadata.generateName).toBe('pi-');
    expect(pod.metadata.labels).toEqual({ 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' });
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid, controller: true, blockOwnerDeletion: true }]);
    expect(pod.status.phase).toBe('Succeeded');
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    // The finished pod is kept (kubectl logs would read it), and the Job writes nothing more.
    const writes = () => logRows(plane.api, NS, ['Job']).filter((r) => r.name === 'pi').length;
    const settled = writes();
    await new Promise((r) => setTimeout(r, 600));
    expect(writes()).toBe(settled);
    // Its Events, as the job controller records them (they are written in batches, after the fact).
    await eventually(async () => {
      const events = (await manifests(plane.api, 'events', NS)).filter((e) => e.involvedObject?.uid === uid);
      expect(events.map((e) => [e.reason, e.source?.component]).sort()).toEqual([
        ['Completed', 'job-controller'],
        ['SuccessfulCreate', 'job-controller'],
      ]);
      expect(events.find((e) => e.reason === 'SuccessfulCreate').message).toBe(`Created pod: ${pod.metadata.name}`);
      return true;
    });
  });

  it('completes 6 with parallelism 2: never more than 2 running, exactly 6 pods made', async () => {
    const { uid } = (await plane.api.ok(CREATE_JOB, { i: job('par', { completions: 6, parallelism: 2 }, { 'kubeql.dev/complete-after-seconds': '0.3' }) })).createJob.metadata;
    const done = await finishedJob('par');
    expect(done.status).toMatchObject({ succeeded: 6, conditions: [expect.objectContaining({ type: 'Complete' })] });
    const replay = replayOwnedPods(plane.api, NS, uid);
    expect(Math.max(...replay.map((r) => r.live))).toBe(2);
    expect(replay.at(-1)!.created).toBe(6);
    expect((await podsOf(uid)).every((p) => p.status.phase === 'Succeeded')).toBe(true);
  });

  it('fails with BackoffLimitExceeded after backoffLimit + 1 failed pods, made one at a time', async () => {
    const { uid } = (await plane.api.ok(CREATE_JOB, { i: job('crash', { backoffLimit: 2 }, { 'kubeql.dev/complete-after-seconds': '0.2', 'kubeql.dev/exit-code': '1' }) })).createJob.metadata;
    const done = await finishedJob('crash');
    expect(done.status.failed).toBe(3);
    expect(done.status.succeeded).toBeUndefined();
    expect(done.status.conditions).toEqual([expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' })]);
    expect(done.status.completionTime).toBeUndefined();
    expect(replayOwnedPods(plane.api, NS, uid).at(-1)!.created).toBe(3);
    expect(Math.max(...replayOwnedPods(plane.api, NS, uid).map((r) => r.live))).toBe(1);
  });

  it('fails with DeadlineExceeded once activeDeadlineSeconds passed, deleting its running pods', async () => {
    const { uid } = (await plane.api.ok(CREATE_JOB, { i: job('slow', { activeDeadlineSeconds: 2, parallelism: 2, completions: 4 }, { 'kubeql.dev/complete-after-seconds': '600' }) })).createJob.metadata;
    const done = await finishedJob('slow');
    expect(done.status.conditions).toEqual([expect.objectContaining({ type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' })]);
    expect(Date.parse(done.status.conditions[0].lastTransitionTime) - Date.parse(done.status.startTime)).toBeGreaterThanOrEqual(2000);
    await eventually(async () => (await podsOf(uid)).length === 0, 20_000);
    expect(replayOwnedPods(plane.api, NS, uid).at(-1)!.created).toBe(2);
    // Once they are gone, the status says so.
    await eventually(async () => (await manifest(plane.api, 'job', NS, 'slow')).status.terminating === 0, 20_000);
  });

  it('deletes a finished Job ttlSecondsAfterFinished later, its pods with it', async () => {
    const { uid } = (await plane.api.ok(CREATE_JOB, { i: job('short-lived', { ttlSecondsAfterFinished: 1 }, { 'kubeql.dev/complete-after-seconds': '0.2' }) })).createJob.metadata;
    await eventually(async () => (await manifest(plane.api, 'job', NS, 'short-lived')) === null && (await podsOf(uid)).length === 0, 30_000, () => plane.controllers.output().slice(-3000));
    const rows = logRows(plane.api, NS, ['Job']).filter((r) => r.uid === uid);
    expect(rows.some((r) => r.object.status?.conditions?.some((c: any) => c.type === 'Complete'))).toBe(true);
    expect(rows.at(-1)!.type).toBe('DELETED');
  });

  it('suspend keeps a Job from running (condition Suspended); resuming starts its pods and its clock', async () => {
    const { uid } = (await plane.api.ok(CREATE_JOB, { i: job('paused', { suspend: true, parallelism: 2, completions: 2 }, { 'kubeql.dev/complete-after-seconds': '600' }) })).createJob.metadata;
    const suspended = await eventually(async () => {
      const j = await manifest(plane.api, 'job', NS, 'paused');
      return j.status.conditions?.some((c: any) => c.type === 'Suspended' && c.status === 'True') ? j : undefined;
    }, 20_000);
    expect(suspended.status.startTime).toBeUndefined();
    expect(suspended.status.conditions[0]).toMatchObject({ reason: 'JobSuspended', message: 'Job suspended' });
    expect(await podsOf(uid)).toEqual([]);
    const SUSPEND = `mutation($s: Boolean!) { patchJob(namespace: "default", name: "paused", patch: { spec: { suspend: $s } }) { metadata { name } } }`;
    await plane.api.ok(SUSPEND.replace('{ suspend: $s }', '{ suspend: false }').replace('($s: Boolean!)', ''));
    await eventually(async () => (await podsOf(uid)).filter((p) => p.status.phase === 'Running').length === 2, 20_000);
    const resumed = await manifest(plane.api, 'job', NS, 'paused');
    expect(resumed.status.conditions).toEqual([expect.objectContaining({ type: 'Suspended', status: 'False', reason: 'JobResumed' })]);
    expect(resumed.status.startTime).toBeDefined();
    await plane.api.ok(SUSPEND.replace('{ suspend: $s }', '{ suspend: true }').replace('($s: Boolean!)', ''));
    await eventually(async () => (await podsOf(uid)).length === 0, 20_000);
    const again = await eventually(async () => {
      const j = await manifest(plane.api, 'job', NS, 'paused');
      return j.status.active === undefined && j.status.conditions?.some((c: any) => c.type === 'Suspended' && c.status === 'True') ? j : undefined;
    }, 20_000);
    expect(again.status.succeeded).toBeUndefined();
  });

  it('converges after a kill -9 of the controller-manager mid-work without making a pod twice', async () => {
    const { uid } = (await plane.api.ok(CREATE_JOB, { i: job('batch', { completions: 24, parallelism: 8 }, { 'kubeql.dev/complete-after-seconds': '0.4' }) })).createJob.metadata;
    await eventually(() => (replayOwnedPods(plane.api, NS, uid).at(-1)?.created ?? 0) >= 8, 20_000);
    plane.controllers.kill();
    const atKill = replayOwnedPods(plane.api, NS, uid).at(-1)!.created;
    expect(atKill).toBeLessThan(24);
    plane.startControllers();
    const done = await finishedJob('batch');
    expect(done.status.succeeded).toBe(24);
    const replay = replayOwnedPods(plane.api, NS, uid);
    expect(replay.at(-1)!.created).toBe(24);
    expect(Math.max(...replay.map((r) => r.live))).toBeLessThanOrEqual(8);
    const ids = logRows(plane.api, NS, ['Pod']).filter((r) => r.type === 'ADDED' && r.object.metadata.ownerReferences?.[0]?.uid === uid).map((r) => r.request_id);
    expect(new Set(ids).size).toBe(24);
    for (const id of ids) expect(id).toMatch(new RegExp(`^job/${uid}/\\d+/\\d+/\\d+$`));
  });

  it("as the docs show it with kubectl: kq apply -f -, then get jobs says Complete 1/1 and get pods Completed", async () => {
    const kq = kqFor({ url: plane.api.server.url, token: plane.api.token });
    const pi2 = PI_JOB.replace('name: pi', 'name: pi-cli');
    expect(await kq.run(['apply', '-f', '-'], { stdin: pi2 })).toMatchObject({ code: 0, stdout: 'job.batch/pi-cli created\n' });
    await finishedJob('pi-cli');
    const jobs = parseTable((await kq.run(['get', 'jobs', 'pi-cli'])).stdout);
    expect(jobs).toEqual([{ NAME: 'pi-cli', STATUS: 'Complete', COMPLETIONS: '1/1', DURATION: expect.stringMatching(/^\d+s$/), AGE: expect.any(String) }]);
    const pods = parseTable((await kq.run(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=pi-cli'])).stdout);
    expect(pods).toEqual([{ NAME: expect.stringMatching(/^pi-cli-[a-z0-9]{5}$/), READY: '0/1', STATUS: 'Completed', RESTARTS: '0', AGE: expect.any(String) }]);
  });
});
