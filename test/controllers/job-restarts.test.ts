/**
 * A Job with restartPolicy OnFailure counts its containers' restarts against backoffLimit, as
 * Kubernetes does; the test plays the kubelet that restarts a failing container in place.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { manifest, manifests, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { eventually } from '../support/processes.js';

let plane: ControlPlane;
beforeAll(async () => {
  plane = await startControlPlane();
});
afterAll(() => plane?.close());

it('fails a Job with BackoffLimitExceeded once its running pods restarted backoffLimit times, and deletes them', async () => {
  const { uid } = (
    await plane.api.ok(`mutation($i: JobInput!) { createJob(input: $i) { metadata { uid } } }`, {
      i: { metadata: { name: 'flaky', namespace: 'default' }, spec: { backoffLimit: 3, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'w', image: 'busybox:1.36' }] } } } },
    })
  ).createJob.metadata;
  const pod = await eventually(async () => (await manifests(plane.api, 'pods', 'default')).find((p) => p.metadata.ownerReferences?.[0]?.uid === uid), 20_000, () => plane.controllers.output().slice(-2000));
  const restarted = (n: number) => ({
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'w', ready: true, restartCount: n, state: { running: { startedAt: '2026-01-01T00:00:00Z' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
  });
  const write = (n: number) =>
    plane.api.ok(`mutation($n: String!, $s: JSON!) { updatePodStatus(namespace: "default", name: $n, status: $s) { metadata { name } } }`, { n: pod.metadata.name, s: restarted(n) });
  await write(2);
  await new Promise((r) => setTimeout(r, 500));
  expect((await manifest(plane.api, 'job', 'default', 'flaky')).status.conditions).toBeUndefined();
  await write(3);
  const failed = await eventually(async () => {
    const job = await manifest(plane.api, 'job', 'default', 'flaky');
    return job.status.conditions?.some((c: any) => c.type === 'Failed') ? job : undefined;
  }, 20_000);
  expect(failed.status.conditions).toEqual([expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' })]);
  // The unbound pod is deleted at once (no kubelet to wait for).
  await eventually(async () => (await manifest(plane.api, 'pod', 'default', pod.metadata.name)) === null, 20_000);
});
