/**
 * The node's heartbeat: its Lease in kube-node-lease (holder the node, 40 s duration), created at
 * start, then renewed every interval (the first renewal at a random point of the interval, so that
 * many agents spread their writes). A conflict re-reads the Lease; a failure retries after a second.
 *
 * A renewal is what kubelet sends, through the Kubernetes REST API as kubelet does: a PUT of the
 * Lease it holds, with that Lease's resourceVersion as the precondition and a new spec.renewTime.
 * At 5,000 nodes renewals are most of the server's writes, and the REST door costs the server less
 * per request than a GraphQL mutation (no document to execute, no input to coerce: in the heartbeat
 * benchmark a renewal's server CPU went from about the cost of a pod create to 70-80% of it); the
 * server gives it the node-heartbeat priority level either way.
 */
import type { KubeqlClient } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import { NODE_LEASE_NAMESPACE } from '../resources/kinds/lease.js';

/** MicroTime, as Lease times are written (RFC 3339 with microseconds). */
const microTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/Z$/, '000Z');

export interface LeaseOptions {
  node: string;
  nodeUid: string;
  intervalMs: number;
  durationSeconds: number;
}

export class LeaseHeartbeat {
  private resourceVersion: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  renewals = 0;

  constructor(
    private readonly client: KubeqlClient,
    private readonly options: LeaseOptions,
  ) {}

  private manifest() {
    return leaseOf(this.options, this.resourceVersion);
  }

  /** Creates (or takes over) the Lease, then renews it on a timer. */
  async start(): Promise<void> {
    try {
      await this.create();
    } catch (error) {
      if (!(error instanceof ClientError) || error.code !== 'ALREADY_EXISTS') throw error;
      await this.renew();
    }
    this.schedule(Math.random() * this.options.intervalMs);
  }

  private async create(): Promise<void> {
    const lease = await this.client.rest<{ metadata: { resourceVersion: string } }>('POST', leasePath(), this.manifest());
    this.resourceVersion = lease.metadata.resourceVersion;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.renew().then(
        () => this.schedule(this.options.intervalMs),
        () => this.schedule(Math.min(1000, this.options.intervalMs)),
      );
    }, ms);
  }

  async renew(): Promise<void> {
    try {
      // kubelet's update of the Lease it holds.
      const lease = await this.client.rest<{ metadata: { resourceVersion: string } }>('PUT', leasePath(this.options.node), this.manifest());
      this.resourceVersion = lease.metadata.resourceVersion;
      this.renewals++;
    } catch (error) {
      if (error instanceof ClientError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND')) {
        const lease = await this.client.rest<{ metadata: { resourceVersion: string } }>('GET', leasePath(this.options.node)).catch((e: unknown) => {
          if (e instanceof ClientError && e.code === 'NOT_FOUND') return undefined;
          throw e;
        });
        this.resourceVersion = lease?.metadata.resourceVersion;
        if (!lease) {
          await this.create();
          return;
        }
      }
      throw error;
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

/** The REST path of the node Leases, or of `node`'s. */
export function leasePath(node?: string): string {
  const leases = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`;
  return node === undefined ? leases : `${leases}/${encodeURIComponent(node)}`;
}

/** The node's Lease as it holds it, renewed now: the body of its create and of every renewal. */
export function leaseOf(options: Omit<LeaseOptions, 'intervalMs'>, resourceVersion?: string, renewTime = microTime()) {
  const { node, nodeUid, durationSeconds } = options;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node,
      namespace: NODE_LEASE_NAMESPACE,
      resourceVersion,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid }],
    },
    spec: { holderIdentity: node, leaseDurationSeconds: durationSeconds, renewTime },
  };
}
