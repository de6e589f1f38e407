/** The controllers the controller-manager runs. */
import type { ControllerFactory } from './framework/manager.js';
import { deploymentController } from './deployment/controller.js';
import { endpointsController } from './endpoints.js';
import { garbageCollector } from './garbage-collector.js';
import { namespaceController } from './namespace.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { replicaSetController } from './replicaset/controller.js';
import { resourceQuotaController } from './resource-quota.js';

export const controllers: readonly ControllerFactory[] = [
  deploymentController,
  endpointsController,
  garbageCollector,
  namespaceController,
  nodeLifecycleController,
  replicaSetController,
  resourceQuotaController,
];
