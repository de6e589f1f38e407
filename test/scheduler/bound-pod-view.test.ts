/** What the scheduler keeps of a bound pod: enough for everything it derives from it, without the status. */
import { describe, expect, it } from 'vitest';
import { podInfo } from '../../server/scheduler/pod-info.js';
import { boundPodView } from '../../server/scheduler/scheduler.js';
import type { Pod } from '../../server/resources/objects.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'shop',
    uid: 'u-1',
    resourceVersion: '42',
    generation: 1,
    creationTimestamp: '2026-12-03T20:00:00Z',
    labels: { app: 'web' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":"very long document"}' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-1', controller: true }],
  },
  spec: {
    nodeName: 'n1',
    nodeSelector: { disk: 'ssd' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'In', values: ['3'] }] }] } } },
    containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '250m', memory: '64Mi' } } }],
  },
  status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
} as unknown as Pod;

describe('the scheduler\'s view of a bound pod', () => {
  it('drops the status, labels and annotations, and leaves the pod given as it was', () => {
    const view = boundPodView(pod);
    expect(view.status).toBeUndefined();
    expect(view.metadata.annotations).toBeUndefined();
    expect(view.metadata.labels).toBeUndefined();
    expect(view.metadata).toMatchObject({ name: 'web-1', namespace: 'shop', uid: 'u-1', resourceVersion: '42' });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.metadata.annotations).toBeDefined();
  });

  it('gives the scheduler the same facts as the whole pod: requests, owner, node, selector, affinity, tolerations', () => {
    expect(podInfo(boundPodView(pod) as Pod)).toEqual(podInfo(pod));
    expect(podInfo(pod)).toMatchObject({ key: 'shop/web-1', owner: 'rs-1', nodeName: 'n1', requests: { milliCpu: 250 } });
  });
});
