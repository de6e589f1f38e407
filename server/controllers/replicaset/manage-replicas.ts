/**
 * manageReplicas: create or delete pods until a ReplicaSet has `spec.replicas` active pods. Deletes
 * are under expectations (set before the writes, lowered for writes that did not happen); creates
 * are known from their answers (`onCreated`, counted by the caller until its informer observes
 * them: framework/answered-creations.ts), so the next round need not wait for the watch.
 *
 * Creates carry a requestId `replicaset/<uid>/<rs resourceVersion>/<salt>/<ordinal>`, where ordinal
 * is the pod's place after the active pods the sync counted. A sync that sees the same state as an
 * earlier one (the watch is behind, a create's answer was lost when the socket dropped, the process
 * was killed and restarted before a write it sent was observed) derives the same ids, and the server
 * answers those with the pods already made instead of making more: a retry never overshoots. An id
 * answered with a pod the informer had already seen (at or below the revision the sync read) made
 * nothing: the sync takes a new salt and tries again.
 */
import type { Pod, ReplicaSet } from '../../resources/objects.js';
import type { KubeqlClient } from '../../client/client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { NewObject } from '../../client/object-client.js';
import type { Expectations } from '../framework/expectations.js';
import { deleteObject } from '../framework/object-requests.js';
import { objectKey } from '../framework/reconciler.js';
import { podsToDelete } from './pod-ranking.js';
import { podFromTemplate, slowStartBatch } from '../owned-pods.js';

/** The answer to a create was a pod made before: the id is spent and nothing new exists. */
export class SpentRequestIdError extends Error {}

export interface ManageOptions {
  key: string;
  rs: ReplicaSet;
  /** The active pods the ReplicaSet controls. */
  pods: Pod[];
  client: KubeqlClient;
  /** Creates a pod with a requestId (the controller's batched create: a sync's creates share documents and commits). */
  createPod: (input: NewObject<'Pod'>, requestId: string) => Promise<Pod>;
  expectations: Expectations;
  /** At most this many creates or deletes per sync (Kubernetes' burstReplicas, 500). */
  burst: number;
  /** The slow start's first batch (default 1): a larger one continues a scale-up whose creates have all succeeded. */
  firstBatch?: number;
  /** Each create answered with a new pod. */
  onCreated?: (pod: Pod) => void;
  /** The pod informer's revision when the sync read its cache. */
  observedRevision: number;
  /** Changes when an id turns out spent. */
  salt: number;
  /** SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete on the ReplicaSet. */
  recorder?: EventRecorder;
}

export function createRequestId(rs: ReplicaSet, salt: number, ordinal: number): string {
  return `replicaset/${rs.metadata.uid}/${rs.metadata.resourceVersion}/${salt}/${ordinal}`;
}

export interface ManageResult {
  /** The first error of the writes it issued (after lowering expectations for deletes that did not happen). */
  error?: Error;
  /** The largest batch of creates that succeeded whole (0 when none ran or the first failed). */
  largestBatch: number;
  /** Pods created (each answered with a new pod). */
  created: number;
}

export async function manageReplicas(o: ManageOptions): Promise<ManageResult> {
  const { key, rs, pods, expectations } = o;
  const diff = pods.length - (rs.spec.replicas ?? 1);
  if (diff < 0) {
    const count = Math.min(-diff, o.burst);
    const input = podFromTemplate(rs, rs.spec.template);
    let created = 0;
    const { error, largestBatch } = await slowStartBatch(
      count,
      async (i) => {
        let pod: Pod;
        try {
          pod = await o.createPod(input, createRequestId(rs, o.salt, pods.length + i));
        } catch (error) {
          o.recorder?.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`);
          throw error;
        }
        if (Number(pod.metadata.resourceVersion) <= o.observedRevision)
          throw new SpentRequestIdError(`request id for pod ${pods.length + i} of ${key} was answered with ${pod.metadata.name}, made earlier`);
        created++;
        o.onCreated?.(pod);
        o.recorder?.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      },
      o.firstBatch,
    );
    return { error, largestBatch, created };
  }
  if (diff > 0) {
    const victims = podsToDelete(pods, Math.min(diff, o.burst));
    expectations.expectDeletions(key, victims.map(objectKey));
    const errors: Error[] = [];
    await Promise.all(
      victims.map(async (pod) => {
        try {
          // Already gone answers undefined: its DELETED event has been or will be observed.
          await deleteObject(o.client, pod);
          o.recorder?.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (e) {
          o.recorder?.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
          // This deletion will not be observed.
          expectations.deletionObserved(key, objectKey(pod));
          errors.push(e as Error);
        }
      }),
    );
    return { error: errors[0], largestBatch: 0, created: 0 };
  }
  return { largestBatch: 0, created: 0 };
}
