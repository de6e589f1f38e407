/** The controller-manager: one client, shared informers, and every controller started on them. */
import { createKubeqlClient, type ClientOptions, type KubeqlClient } from '../../client/client.js';
import { createSharedInformers, type SharedInformers } from '../../client/shared-informers.js';
import { metadataOnly } from '../../client/object-transforms.js';
import { createEventRecorder, type EventRecorder } from '../../client/event-recorder.js';
import { DEFAULT_ZONE_SETTINGS, type ZoneSettings } from '../node-zones.js';
import type { RunningReconciler } from './reconciler.js';

export interface ControllerSettings extends ZoneSettings {
  /** A node whose Lease is not renewed this long is Ready=Unknown (default 40 s). */
  nodeMonitorGracePeriodMs: number;
  /** Pods of an unreachable node are deleted after this long (default 5 min). */
  podEvictionTimeoutMs: number;
}

export const DEFAULT_SETTINGS: ControllerSettings = { nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000, ...DEFAULT_ZONE_SETTINGS };

export interface ControllerContext {
  client: KubeqlClient;
  informers: SharedInformers;
  settings: ControllerSettings;
  /** The Event recorder of a component (`replicaset-controller`), one per name. */
  events(component: string): EventRecorder;
}

export type ControllerFactory = (ctx: ControllerContext) => RunningReconciler;

export function startControllerManager(options: ClientOptions, factories: readonly ControllerFactory[], settings: Partial<ControllerSettings> = {}) {
  const client = createKubeqlClient(options);
  // No controller reads an Event's body (the garbage collector, the namespace and quota controllers
  // count and delete them by metadata), and a kubelet writes several per pod: held as metadata, the
  // controller-manager holds each at a fraction of its whole size.
  const informers = createSharedInformers(client, { transforms: { Event: metadataOnly } });
  const recorders = new Map<string, EventRecorder>();
  const events = (component: string) => recorders.get(component) ?? recorders.set(component, createEventRecorder(client, { component })).get(component)!;
  const ctx: ControllerContext = { client, informers, settings: { ...DEFAULT_SETTINGS, ...settings }, events };
  const controllers = factories.map((make) => make(ctx));
  informers.start();
  return {
    controllers,
    informers,
    async stop(): Promise<void> {
      controllers.forEach((c) => c.stop());
      informers.stop();
      await Promise.all([...recorders.values()].map((r) => r.flush()));
      await client.close();
    },
  };
}
