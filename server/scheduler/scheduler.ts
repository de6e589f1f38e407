/**
 * The scheduler: informers on unbound pods (its own schedulerName), bound pods (for what nodes
 * already carry) and nodes feed a cache and a scheduling queue; one loop takes a pod at a time,
 * decides (filters, scores), assumes the pod on the chosen node at once, and binds it with
 * `bindPod` in the background (the pod's resourceVersion as precondition; a failure forgets the
 * assumption and retries after a backoff). A pod that fits nowhere gets PodScheduled=False.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeqlClient } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import { objectClientOf } from '../client/object-client.js';
import { createEventRecorder } from '../client/event-recorder.js';
import { createSharedInformers } from '../client/shared-informers.js';
import type { KObject } from '../resources/kind.js';
import type { Node, Pod } from '../resources/objects.js';
import { findNode, type FindNodeState } from './find-node.js';
import { podInfo, podKey } from './pod-info.js';
import { SchedulerCache } from './scheduler-cache.js';
import { SchedulingQueue, type SchedulingQueueOptions } from './scheduling-queue.js';
import { unschedulableStatus } from './unschedulable-status.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions extends SchedulingQueueOptions {
  client: KubeqlClient;
  schedulerName?: string;
  /** Pods decided and not yet bound at once (default 1000); binds go out batched, 10 to a request, 64 requests at a time. */
  bindConcurrency?: number;
  /** kube-scheduler's percentageOfNodesToScore (default adaptive). */
  percentageOfNodesToScore?: number;
  log?: (line: string) => void;
  /** Per-pod lines (bound, bind failed), for LOG_LEVEL=debug. */
  debug?: (line: string) => void;
  /** Counts each scheduling attempt by result, with its latency (scheduler-metrics.ts). */
  metrics?: { attempt(result: 'scheduled' | 'unschedulable' | 'error', seconds: number): void };
}

/** What a node offers a pod changed (not just a heartbeat): parked pods get another try. */
function nodeChangedForScheduling(old: Node | undefined, now: Node): boolean {
  if (!old) return true;
  const facts = (n: Node) => {
    const status = n.status ?? {};
    return [n.metadata.labels, n.spec, status.allocatable, status.capacity, (status.conditions ?? []).map((c) => [c.type, c.status])];
  };
  return !isDeepStrictEqual(facts(old), facts(now));
}

/**
 * What the scheduler keeps of a bound pod: the identity and owner references podInfo reads, and
 * the spec it compares; not its status, which churns and which nothing here reads (the informer's
 * field selector already leaves out finished pods).
 */
export function boundPodView(pod: KObject): KObject {
  const { name, namespace, uid, resourceVersion, generation, creationTimestamp, ownerReferences, deletionTimestamp } = pod.metadata;
  return { apiVersion: pod.apiVersion, kind: pod.kind, metadata: { name, namespace, uid, resourceVersion, generation, creationTimestamp, ownerReferences, deletionTimestamp }, spec: pod.spec };
}

/** The pod changed in a way that may change where it fits (not its status). */
const podChangedForScheduling = (old: KObject | undefined, now: KObject) =>
  !old || !isDeepStrictEqual([old.spec, old.metadata.labels, old.metadata.annotations], [now.spec, now.metadata.labels, now.metadata.annotations]);

export function startScheduler(options: SchedulerOptions) {
  const { client } = options;
  const name = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const bindConcurrency = options.bindConcurrency ?? 1000;
  // A document's mutations run one after another, each waiting for its commit: many documents in
  // flight is what lets the server commit many binds together; batching saves the per-request work.
  const objects = objectClientOf(client);
  const bindBatched = objects.batched('Pod', 'bind', {
    maxBatch: 10,
    maxInFlight: 64,
  });
  const log = options.log ?? (() => {});
  const debug = options.debug ?? (() => {});
  const recorder = createEventRecorder(client, { component: 'default-scheduler' });
  const informers = createSharedInformers(client);
  const unbound = informers.informer('Pod', { fieldSelector: `spec.nodeName=,spec.schedulerName=${name}` });
  const bound = informers.informer('Pod', { fieldSelector: 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed', transform: boundPodView });
  const nodes = informers.informer('Node');
  const cache = new SchedulerCache();
  const queue = new SchedulingQueue(options);
  const search: FindNodeState = { nextStart: 0, percentageOfNodesToScore: options.percentageOfNodesToScore };
  const statusWrites = new Set<string>();
  const stats = { bound: 0, conflicts: 0, unschedulable: 0, firstBindAt: 0, lastBindAt: 0 };
  let inflight = 0;
  let slotWaiter: (() => void) | undefined;
  let running = true;

  const subscriptions = [
    nodes.events$.subscribe((e) => {
      if (e.type === 'DELETED') return cache.removeNode(e.object.metadata.name);
      cache.setNode(e.object);
      if (nodeChangedForScheduling(e.old, e.object)) queue.moveAllUnschedulable();
    }),
    bound.events$.subscribe((e) => {
      const key = podKey(e.object);
      if (e.type === 'DELETED') {
        cache.removePod(key);
        queue.moveAllUnschedulable();
      } else if (!cache.isConfirmed(key) || !isDeepStrictEqual(e.old?.spec, e.object.spec)) cache.addBoundPod(podInfo(e.object));
    }),
    unbound.events$.subscribe((e) => {
      const key = podKey(e.object);
      if (e.type === 'DELETED') return queue.done(key);
      if (e.object.metadata.deletionTimestamp) return queue.done(key);
      if (e.type === 'ADDED') queue.add(key);
      else if (podChangedForScheduling(e.old, e.object)) {
        queue.updated(key);
        queue.add(key);
      }
    }),
  ];

  function scheduleOne(key: string): void {
    const pod = unbound.cache.getByKey(key);
    if (!pod || pod.metadata.deletionTimestamp || pod.spec.nodeName) return queue.done(key);
    if (cache.isPlaced(key)) return; // assumed, its bind in flight
    const started = performance.now();
    const info = podInfo(pod);
    const decision = findNode(info, cache, search);
    if ('unschedulable' in decision) {
      queue.parkUnschedulable(key);
      stats.unschedulable++;
      options.metrics?.attempt('unschedulable', (performance.now() - started) / 1000);
      return recordUnschedulable(pod, decision.unschedulable);
    }
    cache.assume(info, decision.node);
    void bind(pod, decision.node, started);
  }

  async function bind(pod: KObject, node: string, started: number): Promise<void> {
    const key = podKey(pod);
    inflight++;
    try {
      await bindBatched({ namespace: pod.metadata.namespace, name: pod.metadata.name, nodeName: node, resourceVersion: pod.metadata.resourceVersion });
      cache.finishBinding(key);
      queue.done(key);
      recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`);
      stats.bound++;
      stats.lastBindAt = Date.now();
      stats.firstBindAt ||= stats.lastBindAt;
      options.metrics?.attempt('scheduled', (performance.now() - started) / 1000);
      debug(`bound ${key} to ${node}`);
    } catch (error) {
      cache.forget(key);
      options.metrics?.attempt('error', (performance.now() - started) / 1000);
      const code = error instanceof ClientError ? error.code : 'INTERNAL';
      if (code === 'CONFLICT') stats.conflicts++;
      if (code === 'NOT_FOUND') queue.done(key);
      else queue.retryAfterBackoff(key);
      // The assumption no longer holds room on that node: parked pods may fit now.
      queue.moveAllUnschedulable();
      debug(`bind ${key} to ${node} failed (${code}): ${(error as Error).message}`);
    } finally {
      inflight--;
      slotWaiter?.();
    }
  }

  function recordUnschedulable(pod: Pod, message: string): void {
    const key = podKey(pod);
    // Every failed attempt is an occurrence; the recorder folds repeats into one Event's count.
    recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const status = unschedulableStatus(pod, message);
    if (!status || statusWrites.has(key)) return;
    statusWrites.add(key);
    log(`${key} is unschedulable: ${message}`);
    objects
      .updateStatus('Pod', { namespace: pod.metadata.namespace, name: pod.metadata.name }, status, { resourceVersion: pod.metadata.resourceVersion })
      .catch((error) => {
        // A newer pod (or none) is on its way through the watch; the next attempt writes again if needed.
        debug(`status of ${key} not written: ${(error as Error).message}`);
      })
      .finally(() => statusWrites.delete(key));
  }

  async function loop(): Promise<void> {
    await informers.waitForSync();
    log(`synced: ${cache.nodes().length} nodes, ${unbound.cache.size} pods to schedule`);
    let sinceYield = 0;
    while (running) {
      if (inflight >= bindConcurrency) {
        await new Promise<void>((resolve) => (slotWaiter = resolve));
        slotWaiter = undefined;
        continue;
      }
      const key = queue.pop();
      if (key === undefined) {
        await queue.wait();
        continue;
      }
      scheduleOne(key);
      // Let the watch and bind responses in between decisions.
      if (++sinceYield >= 32) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  const housekeeping = setInterval(() => cache.cleanupExpired(), 5000);
  housekeeping.unref();
  informers.start();
  const done = loop();

  return {
    cache,
    queue,
    stats,
    informers,
    waitForSync: () => informers.waitForSync(),
    async stop(): Promise<void> {
      running = false;
      clearInterval(housekeeping);
      queue.close();
      slotWaiter?.();
      subscriptions.forEach((s) => s.unsubscribe());
      informers.stop();
      await done.catch(() => {});
    },
  };
}

export type RunningScheduler = ReturnType<typeof startScheduler>;
