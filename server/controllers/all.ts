/** The controllers the controller-manager runs. */
import type { ControllerFactory } from './framework/manager.js';
import { daemonSetController } from './daemonset/controller.js';
import { deploymentController } from './deployment/controller.js';
import { endpointsController } from './endpoints.js';
import { garbageCollector } from './garbage-collector.js';
import { jobController } from './job/controller.js';
import { namespaceController } from './namespace.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { replicaSetController } from './replicaset/controller.js';
import { resourceQuotaController } from './resource-quota.js';
import { serviceAccountController } from './service-account.js';
import { loadBalancerController } from './load-balancer.js';
import { statefulSetController } from './statefulset/controller.js';

export const controllers: readonly ControllerFactory[] = [
  daemonSetController,
  deploymentController,
  endpointsController,
  garbageCollector,
  jobController,
  namespaceController,
  nodeLifecycleController,
  replicaSetController,
  resourceQuotaController,
  serviceAccountController,
  loadBalancerController,
  statefulSetController,
];
