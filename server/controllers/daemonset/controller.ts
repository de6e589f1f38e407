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
import type { KObject } from '../../resources/kind.js';
import type { DaemonSetSpecLike } from '../../resources/kinds/daemonset.js';
import { intOrPercentValue } from '../../resources/kinds/deployment.js';
import { kindByName } from '../../resources/registry.js';
import { claimObjects } from '../controller-ref.js';
import { createObject } from '../create-object.js';
import { computeHash } from '../deployment/template-hash.js';
import { Expectations } from '../expectations.js';
import { labelMatcher } from '../label-selector-match.js';
import type { ControllerFactory } from '../manager.js';
import { deleteObject, getObject, updateObjectStatus } from '../object-requests.js';
import { podFromTemplate, slowStartBatch, trackOwnedPods } from '../owned-pods.js';
import { objectKey, splitKey, startReconciler } from '../reconciler.js';
import { SpentRequestIdError } from '../replicaset/manage-replicas.js';
import { isPodAvailable, isPodReady, podPhase } from '../replicaset/pod-conditions.js';
import { daemonPodSpec, nodeShouldRunDaemonPod, targetNode, type DaemonPodSpec, type Fit } from './node-fit.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** At most this many creates or deletes per sync; KUBEQL_DAEMONSET_BURST lowers it (tests that need a rollout to take several rounds). */
const BURST = Number(process.env.KUBEQL_DAEMONSET_BURST) || 250;

const dsSpec = (ds: KObject) => (ds.spec ?? {}) as DaemonSetSpecLike;
const created = (pod: KObject) => Date.parse(pod.metadata.creationTimestamp) || 0;
/** podByCreationTimestampAndPhase: oldest first; at the same time, running before the others. */
const oldestFirst = (a: KObject, b: KObject) => created(a) - created(b) || Number(podPhase(b) === 'Running') - Number(podPhase(a) === 'Running') || a.metadata.name.localeCompare(b.metadata.name);

/** GetScaledValueFromIntOrPercent, rounding up, as the DaemonSet's maxUnavailable. */
function scaled(v: number | string | undefined, total: number): number {
  if (typeof v === 'string' && v.endsWith('%')) return Math.ceil((intOrPercentValue(v) * total) / 100);
  return intOrPercentValue(v);
}

export const daemonSetController: ControllerFactory = (ctx) => {
  const { client } = ctx;
  const pods = ctx.informers.informer('Pod');
  const daemonSets = ctx.informers.informer('DaemonSet');
  const nodes = ctx.informers.informer('Node');
  const dsKind = kindByName('DaemonSet')!;
  const expectations = new Expectations();
  const salts = new Map<string, number>();
  const tracker = trackOwnedPods({ kind: 'DaemonSet', owners: daemonSets, pods, expectations });

  /** Creates for `creates` (node names) and deletes `deletes` under one expectation; returns the first error. */
  async function syncNodes(key: string, ds: KObject, hash: string, creates: string[], deletes: KObject[], observedRevision: number): Promise<Error | undefined> {
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
    const template = dsSpec(ds).template ?? {};
    const uid = ds.metadata.uid;
    const salt = salts.get(uid) ?? 0;
    const labels = { [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation) };
    const { successes, error } = await slowStartBatch(toCreate.length, async (i) => {
      const node = toCreate[i];
      const input = podFromTemplate(ds, template, { labels, spec: daemonPodSpec((template.spec ?? {}) as DaemonPodSpec, node) });
      const pod = await createObject(client, 'Pod', input, `daemonset/${uid}/${ds.metadata.resourceVersion}/${salt}/${node}`);
      if (Number(pod.metadata.resourceVersion) <= observedRevision) throw new SpentRequestIdError(`request id for ${key} on ${node} was answered with ${pod.metadata.name}, made earlier`);
    });
    for (let i = successes; i < toCreate.length; i++) expectations.creationObserved(key);
    if (error instanceof SpentRequestIdError) salts.set(uid, salt + 1);
    return errors[0] ?? error;
  }

  /** rollingUpdate with maxSurge: a new pod comes on at most maxSurge nodes beside the old one, which goes once the new one is available. */
  async function surgingUpdate(
    key: string,
    ds: KObject,
    hash: string,
    fits: Map<string, Fit>,
    byNode: Map<string, KObject[]>,
    isUpdated: (pod: KObject) => boolean,
    maxSurge: number,
    minReady: number,
    now: number,
    observedRevision: number,
  ): Promise<Error | undefined> {
    let surge = 0;
    const allowed: string[] = [];
    const candidates: string[] = [];
    const oldToDelete: KObject[] = [];
    for (const [node, fit] of fits) {
      if (!fit.shouldRun) continue;
      const live = (byNode.get(node) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      const fresh = live.filter(isUpdated);
      const old = live.filter((p) => !isUpdated(p));
      if (fresh.length > 1 || old.length > 1) {
        surge++;
        continue;
      }
      if (old.length === 0) continue;
      if (fresh.length === 0) {
        if (!isPodAvailable(old[0], minReady, now)) allowed.push(node);
        else if (surge < maxSurge) {
          surge++;
          candidates.push(node);
        }
      } else if (!isPodAvailable(fresh[0], minReady, now)) surge++;
      else oldToDelete.push(old[0]);
    }
    return syncNodes(key, ds, hash, [...allowed, ...candidates], oldToDelete, observedRevision);
  }

  async function sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = daemonSets.cache.get(namespace, name);
    if (!ds) {
      expectations.delete(key);
      return;
    }
    const spec = dsSpec(ds);
    const needsSync = expectations.satisfied(key);
    const observedRevision = pods.revision();
    const owned = await claimObjects({
      owner: ds,
      objects: pods.cache.byIndex('namespace', namespace ?? ''),
      selects: labelMatcher(spec.selector),
      client,
      fetchOwner: () => getObject(client, dsKind, namespace, name),
    });
    const collisionCount = (ds.status as { collisionCount?: number } | undefined)?.collisionCount;
    const hash = computeHash((spec.template ?? {}) as Parameters<typeof computeHash>[0], collisionCount);
    const isUpdated = (pod: KObject) => pod.metadata.labels?.[REVISION_HASH_LABEL] === hash;
    const minReady = spec.minReadySeconds ?? 0;
    const now = Date.now();

    const byNode = new Map<string, KObject[]>();
    for (const pod of owned) {
      const node = targetNode(pod);
      if (node) byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    const rollingUpdate = spec.updateStrategy?.type === 'RollingUpdate' ? spec.updateStrategy.rollingUpdate : undefined;
    const templateSpec = (spec.template?.spec ?? {}) as DaemonPodSpec;
    const allNodes = nodes.cache.list().sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const fits = new Map<string, Fit>(allNodes.map((n) => [n.metadata.name, nodeShouldRunDaemonPod(n, templateSpec)]));

    const desired = [...fits.values()].filter((f) => f.shouldRun).length;
    const maxSurge = rollingUpdate ? scaled(rollingUpdate.maxSurge ?? 0, desired) : 0;
    const surging = maxSurge > 0;

    // podsShouldBeOnNode, for every node.
    const creates: string[] = [];
    const deletes: KObject[] = [];
    for (const node of allNodes) {
      const fit = fits.get(node.metadata.name)!;
      const daemonPods = byNode.get(node.metadata.name) ?? [];
      if (fit.shouldRun && daemonPods.length === 0) creates.push(node.metadata.name);
      else if (fit.shouldContinueRunning) {
        const running: KObject[] = [];
        for (const pod of daemonPods) {
          if (pod.metadata.deletionTimestamp) continue;
          const phase = podPhase(pod);
          if (phase === 'Failed' || phase === 'Succeeded') deletes.push(pod);
          else running.push(pod);
        }
        if (running.length <= 1) continue;
        running.sort(oldestFirst);
        if (!surging) {
          deletes.push(...running.slice(1));
          continue;
        }
        // With surge, an old and a new pod may share a node while the new one is not yet available; the rest go.
        const oldestNew = running.find(isUpdated);
        const oldestOld = running.find((p) => !isUpdated(p));
        deletes.push(...running.filter((p) => p !== oldestNew && p !== oldestOld));
        if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))) deletes.push(oldestOld);
      } else deletes.push(...daemonPods.filter((p) => !p.metadata.deletionTimestamp));
    }
    // Pods of nodes that are gone.
    for (const [node, list] of byNode) if (!fits.has(node)) deletes.push(...list.filter((p) => !p.metadata.deletionTimestamp));

    let error: Error | undefined;
    if (needsSync && !ds.metadata.deletionTimestamp) {
      if (creates.length || deletes.length) error = await syncNodes(key, ds, hash, creates, deletes, observedRevision);
      else if (rollingUpdate && surging) error = await surgingUpdate(key, ds, hash, fits, byNode, isUpdated, maxSurge, minReady, now, observedRevision);
      else if (rollingUpdate) {
        // rollingUpdate: old pods go at most maxUnavailable at a time; unavailable old ones at once.
        const maxUnavailable = Math.max(1, scaled(rollingUpdate.maxUnavailable ?? 1, desired));
        let unavailable = 0;
        const replace: KObject[] = [];
        const candidates: KObject[] = [];
        for (const [node, fit] of fits) {
          if (!fit.shouldRun) continue;
          const live = (byNode.get(node) ?? []).filter((p) => !p.metadata.deletionTimestamp);
          const fresh = live.filter(isUpdated);
          const old = live.filter((p) => !isUpdated(p));
          if (fresh.length + old.length !== 1) unavailable++;
          else if (fresh.length === 1) {
            if (!isPodAvailable(fresh[0], minReady, now)) unavailable++;
          } else if (!isPodAvailable(old[0], minReady, now)) replace.push(old[0]);
          else candidates.push(old[0]);
        }
        const budget = Math.max(0, maxUnavailable - unavailable);
        error = await syncNodes(key, ds, hash, [], [...replace, ...candidates.slice(0, budget)], observedRevision);
      }
    }

    // updateDaemonSetStatus.
    let current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
    for (const [node, fit] of fits) {
      const daemonPods = (byNode.get(node) ?? []).sort(oldestFirst);
      if (fit.shouldRun) {
        if (daemonPods.length === 0) continue;
        current++;
        const pod = daemonPods[0];
        if (isPodReady(pod)) {
          ready++;
          if (isPodAvailable(pod, minReady, now)) available++;
        }
        if (isUpdated(pod)) updated++;
      } else if (daemonPods.length > 0) misscheduled++;
    }
    const status: Record<string, unknown> = {
      ...ds.status,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata.generation,
    };
    for (const [field, value] of [['updatedNumberScheduled', updated], ['numberAvailable', available], ['numberUnavailable', desired - available]] as const) {
      if (value) status[field] = value;
      else delete status[field];
    }
    if (!isDeepStrictEqual(status, ds.status)) await updateObjectStatus(client, ds, status, ds.metadata.resourceVersion);
    if (minReady > 0 && ready !== available) reconciler.queue.addAfter(key, minReady * 1000);
    if (error) throw error;
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
          const relevant = (n?: KObject) => JSON.stringify([n?.metadata.labels, (n?.spec as { taints?: unknown } | undefined)?.taints]);
          return e.type === 'MODIFIED' && relevant(e.old) === relevant(e.object) ? [] : allKeys();
        },
      },
    ],
    reconcile: sync,
  });
  return {
    ...reconciler,
    stop() {
      tracker.stop();
      reconciler.stop();
    },
  };
};
