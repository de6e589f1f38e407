/**
 * One simulated node (a kubelet, as KWOK plays it): registers its Node, heartbeats its Lease,
 * watches the pods bound to it (`spec.nodeName=<node>`) and drives each to Running with an IP
 * from its podCIDR, finishes pods that ask to, and removes deleted pods after their (shortened)
 * grace period. After a restart it re-adopts its pods: their IPs are reserved again and a status
 * that is already right is not rewritten. Pod work runs on a work queue shared by all agents of
 * the process.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeqlClient } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import { objectClientOf, type BatchedCall } from '../client/object-client.js';
import { createDocumentBatcher, type DocumentBatcher } from '../client/mutation-batcher.js';
import { createInformer, type Informer, type InformerEvent } from '../client/informer.js';
import type { Node, Pod } from '../resources/objects.js';
import type { AgentSettings } from './agent-settings.js';
import { LeaseHeartbeat } from './lease-heartbeat.js';
import { isReady, type NodeShape } from './node-manifest.js';
import { postNodeStatus, registerNode } from './node-registration.js';
import { nodeAddressFor, PodIpPool } from './pod-ip-pool.js';
import { completion, finishedStatus, isFinished, runningStatus, waitingStatus } from './pod-status.js';
import { createEventRecorder, referenceTo, type EventRecorder, type EventRecorderCaches } from '../client/event-recorder.js';
import { findConfigProblem, lookupWith } from './config-refs.js';

/** Retries of a pod waiting for a ConfigMap or Secret: 1 s, doubling, at most 10 s (the kubelet resyncs such pods). */
const CONFIG_RETRY_MS = { first: 1000, max: 10_000 };
const containerNames = (pod: Pod) => pod.spec.containers ?? [];

export interface AgentContext {
  client: KubeqlClient;
  /** The node's identity too, over connections of their own: the Lease renewals and Node status posts. */
  heartbeatClient: KubeqlClient;
  /** updatePodStatus(namespace, name, status, resourceVersion) and deletePod(namespace, name, resourceVersion, gracePeriodSeconds), batched per client. */
  podWrites: PodWrites;
  settings: AgentSettings;
  /** The Event aggregation LRUs of the whole process, shared by its nodes' recorders. */
  eventCaches?: EventRecorderCaches;
  /** Queues `<node>/<namespace>/<name>` on the process's shared work queue. */
  enqueue(key: string): void;
  log(line: string): void;
}

export interface PodWrites {
  status: { call: (call: BatchedCall<'Pod', 'updateStatus'>) => Promise<void> };
  remove: { call: (call: BatchedCall<'Pod', 'delete'>) => Promise<void> };
  /** The documents the status writes go in, which the node's Event recorder shares. */
  documents: DocumentBatcher;
}

/**
 * The batched pod writes of one client (shared by the agents that use it). A pod's status write
 * and the Events recorded with it (Pulled, Created, Started) share a document, waiting up to 5 ms
 * for each other: one request per pod started instead of two, on the agents' side and the server's.
 */
export function podWritesFor(client: KubeqlClient): PodWrites {
  const objects = objectClientOf(client);
  const documents = createDocumentBatcher(client, { maxBatch: 10, maxInFlight: 16, lingerMs: 5 });
  return {
    status: { call: objects.batched('Pod', 'updateStatus', { documents }) },
    remove: { call: objects.batched('Pod', 'delete') },
    documents,
  };
}

export class NodeAgent {
  node: Node | undefined;
  pods: Informer<Pod> | undefined;
  ipPool: PodIpPool | undefined;
  address = '';
  lease: LeaseHeartbeat | undefined;
  private readonly wakeups = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** When this agent first saw each deleting pod (by uid). */
  private readonly deletionSeen = new Map<string, number>();
  /** Config retries so far, by pod uid. */
  private readonly configRetries = new Map<string, number>();
  private statusInFlight = false;
  private stopped = false;
  private events: EventRecorder | undefined;

  constructor(
    readonly shape: NodeShape,
    private readonly ctx: AgentContext,
  ) {}

  get name(): string {
    return this.shape.name;
  }

  private get recorder(): EventRecorder {
    return (this.events ??= createEventRecorder(this.ctx.client, { component: 'kubelet', host: this.name }, { caches: this.ctx.eventCaches, documents: this.ctx.podWrites.documents }));
  }

  /** Registers the node and its status, starts the heartbeat, then follows its pods. */
  async start(): Promise<void> {
    const { client, settings } = this.ctx;
    const node = await registerNode(client, this.shape);
    const podCIDR = node.spec?.podCIDR;
    if (!podCIDR) throw new Error(`node ${this.name} has no spec.podCIDR`);
    this.ipPool = new PodIpPool(podCIDR);
    this.address = nodeAddressFor(podCIDR);
    this.node = await postNodeStatus(client, this.shape, this.address, node);
    this.lease = new LeaseHeartbeat(this.ctx.heartbeatClient, {
      node: this.name,
      nodeUid: node.metadata.uid,
      intervalMs: settings.leaseIntervalMs,
      durationSeconds: settings.leaseDurationSeconds,
    });
    await this.lease.start();
    if (this.stopped) return this.lease.stop();

    const pods = (this.pods = createInformer(client, 'Pod', { fieldSelector: `spec.nodeName=${this.name}` }));
    pods.events$.subscribe((e) => this.onPodEvent(e));
    pods.start();
    await pods.waitForSync();
    // Re-adopt: every address a pod already reports is its own again before anything new is handed out.
    for (const pod of pods.cache.list()) {
      const ip = pod.status?.podIP;
      if (ip && !isFinished(pod)) this.ipPool.reserve(ip, pod.metadata.uid);
    }
    for (const pod of pods.cache.list()) this.ctx.enqueue(this.keyOf(pod));
  }

  private keyOf(pod: Pod): string {
    return `${this.name}/${pod.metadata.namespace}/${pod.metadata.name}`;
  }

  private onPodEvent(e: InformerEvent<Pod>): void {
    if (e.type === 'DELETED') {
      this.ipPool?.release(e.object.metadata.uid);
      this.deletionSeen.delete(e.object.metadata.uid);
      this.configRetries.delete(e.object.metadata.uid);
      this.clearWakeup(this.keyOf(e.object));
      return;
    }
    // Before the first sync the adoption pass above queues everything.
    if (this.pods?.synced$.value) this.ctx.enqueue(this.keyOf(e.object));
  }

  /** The shared Node informer saw this node: post Ready again if someone marked it otherwise while this agent runs. */
  onNodeChanged(node: Node | undefined): void {
    if (this.stopped || !this.node || this.statusInFlight) return;
    // The watch may still be delivering versions older than the one this agent wrote.
    if (node && Number(node.metadata.resourceVersion) < Number(this.node.metadata.resourceVersion)) return;
    if (node && isReady(node) && node.metadata.uid === this.node.metadata.uid) {
      this.node = node;
      return;
    }
    if (!node) return; // deleted: a kubelet does not re-register on its own
    this.statusInFlight = true;
    postNodeStatus(this.ctx.heartbeatClient, this.shape, this.address, node)
      .then((n) => (this.node = n))
      .catch((error) => this.ctx.log(`${this.name}: status not posted: ${(error as Error).message}`))
      .finally(() => (this.statusInFlight = false));
  }

  /** Converges one of its pods (called by the shared work queue). */
  async reconcile(namespace: string, name: string): Promise<void> {
    const pod = this.pods?.cache.get(namespace, name);
    if (!pod || this.stopped || !this.ipPool) return;
    const key = this.keyOf(pod);
    const { settings, podWrites } = this.ctx;
    const target = { namespace, name, resourceVersion: pod.metadata.resourceVersion };

    if (pod.metadata.deletionTimestamp) {
      // As the kubelet, the grace period runs from when the agent saw the deletion (deletionTimestamp has whole seconds only).
      const seen = this.deletionSeen.get(pod.metadata.uid) ?? Date.now();
      if (!this.deletionSeen.has(pod.metadata.uid) && pod.status?.phase === 'Running')
        for (const c of containerNames(pod)) this.recorder.event(referenceTo(pod, `spec.containers{${c.name}}`), 'Normal', 'Killing', `Stopping container ${c.name}`);
      this.deletionSeen.set(pod.metadata.uid, seen);
      const grace = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
      const goAt = seen + Math.min(grace, settings.deletionGraceMs);
      if (Date.now() < goAt) return this.wakeAt(key, goAt);
      try {
        await podWrites.remove.call({ ...target, gracePeriodSeconds: 0 });
      } catch (error) {
        if (!(error instanceof ClientError && error.code === 'NOT_FOUND')) throw error;
      }
      return;
    }
    if (isFinished(pod)) return this.ipPool.release(pod.metadata.uid);

    const finish = completion(pod);
    if (finish && Date.now() >= finish.at) {
      await this.writeStatus(target, pod, finishedStatus(pod, finish.exitCode));
      this.ipPool.release(pod.metadata.uid);
      return;
    }
    const starting = pod.status?.phase !== 'Running';
    if (starting) {
      const problem = await findConfigProblem(pod, lookupWith(this.ctx.client));
      if (problem) {
        if (problem.reason === 'FailedMount') this.recorder.event(pod, 'Warning', 'FailedMount', problem.message);
        else this.recorder.event(pod, 'Warning', 'Failed', `Error: ${problem.message}`);
        const waiting = problem.reason === 'FailedMount' ? waitingStatus(pod, this.address, 'ContainerCreating') : waitingStatus(pod, this.address, problem.reason, problem.message);
        await this.writeStatus(target, pod, waiting);
        const retries = this.configRetries.get(pod.metadata.uid) ?? 0;
        this.configRetries.set(pod.metadata.uid, retries + 1);
        return this.wakeAt(key, Date.now() + Math.min(CONFIG_RETRY_MS.max, CONFIG_RETRY_MS.first * 2 ** retries));
      }
      this.configRetries.delete(pod.metadata.uid);
    }
    const ip = this.ipPool.allocate(pod.metadata.uid);
    if (!ip) throw new Error(`${this.name}: no free address in ${this.ipPool.cidr} for ${namespace}/${name}`);
    const running = runningStatus(pod, ip, this.address);
    const written = this.writeStatus(target, pod, running);
    // Recorded in the same turn as the status write, so that they go out in its document. The
    // containers started whatever becomes of the write, as kubelet's Events say; if it fails, its
    // retry records them again and the recorder counts the repeats onto the same Events.
    if (starting && !isDeepStrictEqual(running, pod.status))
      for (const c of containerNames(pod)) {
        const ref = referenceTo(pod, `spec.containers{${c.name}}`);
        this.recorder.event(ref, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
        this.recorder.event(ref, 'Normal', 'Created', `Created container ${c.name}`);
        this.recorder.event(ref, 'Normal', 'Started', `Started container ${c.name}`);
      }
    await written;
    if (finish) this.wakeAt(key, finish.at);
  }

  private async writeStatus(target: { namespace: string; name: string; resourceVersion: string }, pod: Pod, status: Record<string, unknown>): Promise<void> {
    if (isDeepStrictEqual(status, pod.status)) return;
    await this.ctx.podWrites.status.call({ ...target, status });
  }

  /** Reconciles `key` again at `at` (the earliest such request wins). */
  private wakeAt(key: string, at: number): void {
    const existing = this.wakeups.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.wakeups.delete(key);
      this.ctx.enqueue(key);
    }, Math.max(0, at - Date.now()));
    this.wakeups.set(key, { at, timer });
  }

  private clearWakeup(key: string): void {
    clearTimeout(this.wakeups.get(key)?.timer);
    this.wakeups.delete(key);
  }

  stop(): void {
    this.stopped = true;
    this.lease?.stop();
    this.pods?.stop();
    for (const w of this.wakeups.values()) clearTimeout(w.timer);
    this.wakeups.clear();
  }
}
