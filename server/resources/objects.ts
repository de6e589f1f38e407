/**
 * The TypeScript types of the API's objects, each inferred from its kind's shape in the registry
 * (`Pod = Infer<typeof PodShape>`), for the client and the components: what a shape says a field
 * is, the code reads it as, with no hand-copied partial types beside it.
 */
import type { Infer } from './shape.js';
import type { Deployment, DeploymentShape } from './kinds/deployment.js';
import type { Endpoints } from './kinds/endpoints.js';
import type { Lease } from './kinds/lease.js';
import type { Namespace } from './kinds/namespace.js';
import type { Node } from './kinds/node.js';
import type { Pod } from './kinds/pod.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './kinds/rbac.js';
import type { ReplicaSet } from './kinds/replicaset.js';
import type { ResourceQuota } from './kinds/resourcequota.js';
import type { Service } from './kinds/service.js';
import type { ServiceAccount } from './kinds/service-account.js';

export type { Deployment, Endpoints, Lease, Namespace, Node, Pod, ReplicaSet, ResourceQuota, Service, ServiceAccount, Role, ClusterRole, RoleBinding, ClusterRoleBinding };
export type { KObject, ObjectMeta, OwnerReference } from './kind.js';
import type { KObject } from './kind.js';
export type { Infer } from './shape.js';

/** The object type of each kind, by its name: `ObjectOf<'Pod'>` is a Pod. */
export interface KindTypes {
  Namespace: Namespace;
  Node: Node;
  Pod: Pod;
  Service: Service;
  Lease: Lease;
  Endpoints: Endpoints;
  ReplicaSet: ReplicaSet;
  Deployment: Deployment;
  ResourceQuota: ResourceQuota;
  ServiceAccount: ServiceAccount;
  Role: Role;
  ClusterRole: ClusterRole;
  RoleBinding: RoleBinding;
  ClusterRoleBinding: ClusterRoleBinding;
  // Not yet typed from their shapes: the plain envelope until they are.
  ConfigMap: KObject;
  Secret: KObject;
  Event: KObject;
  Job: KObject;
  DaemonSet: KObject;
  StatefulSet: KObject;
}

export type KindName = keyof KindTypes;
export type ObjectOf<K extends KindName> = KindTypes[K];

// Parts the components read on their own.
export type PodSpec = Pod['spec'];
export type PodStatus = NonNullable<Pod['status']>;
export type Container = PodSpec['containers'][number];
export type PodTemplateSpec = ReplicaSet['spec']['template'];
export type ServiceSpec = Service['spec'];
export type ServicePort = NonNullable<ServiceSpec['ports']>[number];
export type NodeSpec = NonNullable<Node['spec']>;
export type NodeStatus = NonNullable<Node['status']>;
export type NodeCondition = NonNullable<NodeStatus['conditions']>[number];
export type Taint = NonNullable<NodeSpec['taints']>[number];
export type ReplicaSetSpec = ReplicaSet['spec'];
export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;
export type DeploymentSpec = Infer<typeof DeploymentShape>['spec'];
export type DeploymentStatus = NonNullable<Deployment['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];
export type EndpointSubset = NonNullable<Endpoints['subsets']>[number];
export type LeaseSpec = NonNullable<Lease['spec']>;
export type LabelSelector = ReplicaSetSpec['selector'];
