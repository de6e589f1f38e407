/** The registry of kinds: the one list every other part (schema, validation, store, resolvers) reads. */
import type { KindDef } from './kind.js';
import { namespace } from './kinds/namespace.js';
import { node } from './kinds/node.js';
import { pod } from './kinds/pod.js';
import { service } from './kinds/service.js';
import { serviceAccount } from './kinds/service-account.js';
import { clusterRole, clusterRoleBinding, role, roleBinding } from './kinds/rbac.js';
import { lease } from './kinds/lease.js';
import { endpoints } from './kinds/endpoints.js';
import { replicaSet } from './kinds/replicaset.js';
import { deployment } from './kinds/deployment.js';
import { resourceQuota } from './kinds/resourcequota.js';
import { configMap } from './kinds/configmap.js';
import { secret } from './kinds/secret.js';
import { event } from './kinds/event.js';
import { job } from './kinds/job.js';
import { daemonSet } from './kinds/daemonset.js';
import { statefulSet } from './kinds/statefulset.js';

export const kinds: readonly KindDef[] = [
  namespace,
  node,
  pod,
  service,
  lease,
  endpoints,
  replicaSet,
  deployment,
  resourceQuota,
  serviceAccount,
  role,
  clusterRole,
  roleBinding,
  clusterRoleBinding,
  configMap,
  secret,
  event,
  job,
  daemonSet,
  statefulSet,
];

const byName = new Map(kinds.map((k) => [k.kind, k]));

export function kindByName(name: string): KindDef | undefined {
  return byName.get(name);
}
