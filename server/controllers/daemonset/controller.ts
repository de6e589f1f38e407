/**
 * The DaemonSet controller, as Kubernetes' (pkg/controller/daemon): one pod per node that should run
 * it (node-fit.ts), following nodes as they come, go, change labels or get tainted; surplus pods
 * (a second on a node, a finished one, one on a node that no longer fits or exists) are deleted.
 * Pods are bound as Kubernetes does since 1.12: a required node affinity to their node's name
 * (matchFields metadata.name), placed by the scheduler, not by spec.nodeName. Pods carry the
 * `controller-revision-hash` of the template; RollingUpdate replaces old pods at most
 * maxUnavailable at a time, or with maxSurge starts the new pod beside the old one, which goes once
 * the new one is available; OnDelete replaces them only when a user deletes them. Creates carry requestIds derived from the view
 * (`daemonset/<uid>/<resourceVersion>/<salt>/<node>`), so a restart never makes a node's pod twice.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '../../resources/objects.js';
import { intOrPercentValue } from '../../resources/kinds/deployment.js';
import { claimObjects } from '../framework/controller-ref.js';
import { createObject } from '../create-object.js';
import { computeHash } from '../deployment/template-hash.js';
import { Expectations } from '../framework/expectations.js';
import { labelMatcher } from '../framework/label-selector-match.js';
import type { ControllerFactory } from '../framework/manager.js';
import { deleteObject, getObject, updateObjectStatus } from '../framework/object-requests.js';
import { podFromTemplate, slowStartBatch, trackOwnedPods, withTracker } from '../owned-pods.js';
import { objectKey, splitKey, startReconciler, type ReconcileResult } from '../framework/reconciler.js';
import { SpentRequestIdError } from '../replicaset/manage-replicas.js';
import { daemonPodSpec, nodeShouldRunDaemonPod, targetNode, type DaemonPodSpec, type Fit } from './node-fit.js';
import { nodePlan, rollingUpdateDeletes, statusCounts, surgePlan, type DaemonView } from './plan.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** At most this many creates or deletes per sync; KUBEQL_DAEMONSET_BURST lowers it (tests that need a rollout to take several rounds). */
const BURST = Number(process.env.KUBEQL_DAEMONSET_BURST) || 250;

/** GetScaledValueFromIntOrPercent, rounding up, as the DaemonSet's maxUnavailable. */
function scaled(v: number | string | undefined, total: number): number {
  if (typeof v === 'string' && v.endsWith('%')) return Math.ceil((intOrPercentValue(v) * total) / 100);
  return intOrPercentValue(v);
}

export const daemonSetController: ControllerFactory = (ctx) => {
  const { client } = ctx;
  const recorder = ctx.events('daemonset-controller');
  const pods = ctx.informers.informer('Pod');
  const daemonSets = ctx.informers.informer('DaemonSet');
  const nodes = ctx.informers.informer('Node');
  const expectations = new Expectations();
  const salts = new Map<string, number>();
  const tracker = trackOwnedPods({ kind: 'DaemonSet', owners: daemonSets, pods, expectations });

  /** Creates for `creates` (node names) and deletes `deletes` under one expectation; returns the first error. */
  async function syncNodes(key: string, ds: DaemonSet, hash: string, creates: string[], deletes: Pod[], observedRevision: number): Promise<Error | undefined> {
    const toCreate = creates.slice(0, BURST);
    const toDelete = deletes.slice(0, BURST);
    if (toCreate.length === 0 && toDelete.length === 0) return undefined;
    expectations.expect(key, toCreate.length, toDelete.map(objectKey));
    const errors: Error[] = [];
    await Promise.all(
      toDelete.map(async (pod) => {
        try {
          // A pod whose node is gone has no kubelet to confirm: it goes at once, as the pod GC does it.
          await deleteObject(client, pod, nodes.cache.get(undefined, targetNode(pod) ?? '') ? {} : { gracePeriodSeconds: 0 });
        } catch (e) {
          expectations.deletionObserved(key, objectKey(pod));
          errors.push(e as Error);
        }
      }),
    );
    const template = ds.spec.template;
    const uid = ds.metadata.uid;
    const salt = salts.get(uid) ?? 0;
    const labels = { [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation) };
    const { successes, error } = await slowStartBatch(toCreate.length, async (i) => {
      const node = toCreate[i];
      const input = podFromTemplate(ds, template, { labels, spec: daemonPodSpec(template.spec, node) });
      const pod = await createObject(client, 'Pod', input, `daemonset/${uid}/${ds.metadata.resourceVersion}/${salt}/${node}`);
      if (Number(pod.metadata.resourceVersion) <= observedRevision) throw new SpentRequestIdError(`request id for ${key} on ${node} was answered with ${pod.metadata.name}, made earlier`);
      recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    });
    for (let i = successes; i < toCreate.length; i++) expectations.creationObserved(key);
    if (error instanceof SpentRequestIdError) salts.set(uid, salt + 1);
    return errors[0] ?? error;
  }

  async function sync(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const ds = daemonSets.cache.get(namespace, name);
    if (!ds) {
      expectations.delete(key);
      return;
    }
    const spec = ds.spec;
    const needsSync = expectations.satisfied(key);
    const observedRevision = pods.revision();
    const owned = await claimObjects({
      owner: ds,
      objects: pods.cache.byIndex('namespace', namespace ?? ''),
      selects: labelMatcher(spec.selector),
      client,
      fetchOwner: () => getObject(client, 'DaemonSet', namespace, name),
    });
    const hash = computeHash(spec.template, ds.status?.collisionCount);
    const isUpdated = (pod: Pod) => pod.metadata.labels?.[REVISION_HASH_LABEL] === hash;
    const minReady = spec.minReadySeconds ?? 0;
    const now = Date.now();

    const byNode = new Map<string, Pod[]>();
    for (const pod of owned) {
      const node = targetNode(pod);
      if (node) byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    const rollingUpdate = spec.updateStrategy?.type === 'RollingUpdate' ? spec.updateStrategy.rollingUpdate : undefined;
    const templateSpec = spec.template.spec;
    const allNodes = nodes.cache.list().sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const fits = new Map<string, Fit>(allNodes.map((n) => [n.metadata.name, nodeShouldRunDaemonPod(n, templateSpec)]));
    const view: DaemonView = { fits, byNode, isUpdated, minReadySeconds: minReady, now };
    const desired = [...fits.values()].filter((f) => f.shouldRun).length;
    const maxSurge = rollingUpdate ? scaled(rollingUpdate.maxSurge ?? 0, desired) : 0;

    let error: Error | undefined;
    if (needsSync && !ds.metadata.deletionTimestamp) {
      // manage first; the rollout moves on in a round with nothing else to do.
      const plan = nodePlan(view, maxSurge > 0);
      if (plan.creates.length || plan.deletes.length) error = await syncNodes(key, ds, hash, plan.creates, plan.deletes, observedRevision);
      else if (rollingUpdate && maxSurge > 0) {
        const surge = surgePlan(view, maxSurge);
        error = await syncNodes(key, ds, hash, surge.creates, surge.deletes, observedRevision);
      } else if (rollingUpdate) {
        const maxUnavailable = Math.max(1, scaled(rollingUpdate.maxUnavailable ?? 1, desired));
        error = await syncNodes(key, ds, hash, [], rollingUpdateDeletes(view, maxUnavailable), observedRevision);
      }
    }

    const counts = statusCounts(view);
    const status: DaemonSetStatus = {
      ...ds.status,
      currentNumberScheduled: counts.current,
      numberMisscheduled: counts.misscheduled,
      desiredNumberScheduled: counts.desired,
      numberReady: counts.ready,
      observedGeneration: ds.metadata.generation,
    };
    // These three are omitempty in Kubernetes.
    for (const [field, value] of [['updatedNumberScheduled', counts.updated], ['numberAvailable', counts.available], ['numberUnavailable', counts.desired - counts.available]] as const) {
      if (value) status[field] = value;
      else delete status[field];
    }
    if (!isDeepStrictEqual(status, ds.status)) await updateObjectStatus(client, ds, status, ds.metadata.resourceVersion);
    if (error) throw error;
    return minReady > 0 && counts.ready !== counts.available ? { requeueAfterMs: minReady * 1000 } : undefined;
  }

  const allKeys = () => daemonSets.cache.keys();
  const reconciler = startReconciler({
    name: 'daemonset',
    primary: daemonSets,
    secondary: [
      { informer: pods, keys: tracker.podKeys },
      // A node added, removed, relabelled or (un)tainted may change where every DaemonSet runs.
      {
        informer: nodes,
        keys: (e) => {
          const relevant = (n?: Node) => JSON.stringify([n?.metadata.labels, n?.spec?.taints]);
          return e.type === 'MODIFIED' && relevant(e.old) === relevant(e.object) ? [] : allKeys();
        },
      },
    ],
    reconcile: sync,
  });
  return withTracker(reconciler, tracker);
};
