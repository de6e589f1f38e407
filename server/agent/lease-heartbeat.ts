/**
 * The node's heartbeat: its Lease in kube-node-lease (holder the node, 40 s duration), created at
 * start, then renewed every interval (the first renewal at a random point of the interval, so that
 * many agents spread their writes). A conflict re-reads the Lease; a failure retries after a second.
 *
 * A renewal is what kubelet sends: an update of the Lease it holds, with that Lease's
 * resourceVersion as the precondition and a new spec.renewTime. At 5,000 nodes renewals are a
 * quarter of the server's writes, so the document is the smallest that does it: it asks back only
 * the new resourceVersion (the next renewal's precondition), not the whole object.
 */
import type { KubeqlClient } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import { objectClientOf, type ObjectClient } from '../client/object-client.js';

export const LEASE_NAMESPACE = 'kube-node-lease';

/** MicroTime, as Lease times are written (RFC 3339 with microseconds). */
const microTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/Z$/, '000Z');

/** The renewal's document: kubelet's Lease update, answering only the new resourceVersion. */
export const LEASE_RENEWAL = 'mutation($l:LeaseInput!){r:updateLease(input:$l){metadata{resourceVersion}}}';

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

  private readonly objects: ObjectClient;

  constructor(
    private readonly client: KubeqlClient,
    private readonly options: LeaseOptions,
  ) {
    this.objects = objectClientOf(client);
  }

  private input() {
    return leaseOf(this.options, this.resourceVersion);
  }

  /** Creates (or takes over) the Lease, then renews it on a timer. */
  async start(): Promise<void> {
    try {
      this.resourceVersion = (await this.objects.create('Lease', this.input())).metadata.resourceVersion;
    } catch (error) {
      if (!(error instanceof ClientError) || error.code !== 'ALREADY_EXISTS') throw error;
      await this.renew();
    }
    this.schedule(Math.random() * this.options.intervalMs);
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
      const data = await this.client.request<{ r: { metadata: { resourceVersion: string } } }>(LEASE_RENEWAL, { l: this.input() });
      this.resourceVersion = data.r.metadata.resourceVersion;
      this.renewals++;
    } catch (error) {
      if (error instanceof ClientError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND')) {
        const lease = await this.objects.get('Lease', { namespace: LEASE_NAMESPACE, name: this.options.node });
        this.resourceVersion = lease?.metadata.resourceVersion;
        if (!lease) {
          this.resourceVersion = (await this.objects.create('Lease', this.input())).metadata.resourceVersion;
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

/** The node's Lease as it holds it, renewed now: the input of its create and of every renewal. */
export function leaseOf(options: Omit<LeaseOptions, 'intervalMs'>, resourceVersion?: string, renewTime = microTime()) {
  const { node, nodeUid, durationSeconds } = options;
  return {
    metadata: {
      name: node,
      namespace: LEASE_NAMESPACE,
      resourceVersion,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid }],
    },
    spec: { holderIdentity: node, leaseDurationSeconds: durationSeconds, renewTime },
  };
}
