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
import type { ConfigMap } from './kinds/configmap.js';
import type { DaemonSet } from './kinds/daemonset.js';
import type { Event } from './kinds/event.js';
import type { Job } from './kinds/job.js';
import type { Secret } from './kinds/secret.js';
import type { StatefulSet } from './kinds/statefulset.js';
import type { ServiceAccount } from './kinds/service-account.js';

export type { Deployment, Endpoints, Lease, Namespace, Node, Pod, ReplicaSet, ResourceQuota, Service, ServiceAccount, Role, ClusterRole, RoleBinding, ClusterRoleBinding };
export type { ConfigMap, Secret, Event, Job, DaemonSet, StatefulSet };
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
  ConfigMap: ConfigMap;
  Secret: Secret;
  Event: Event;
  Job: Job;
  DaemonSet: DaemonSet;
  StatefulSet: StatefulSet;
}

export type KindName = keyof KindTypes;
export type ObjectOf<K extends KindName> = KindTypes[K];

/** Whether `o` is an object of `kind`: what the API returns is well-formed for its kind, so its kind says its type. */
export function isKind<K extends KindName>(o: KObject, kind: K): o is ObjectOf<K> {
  return o.kind === kind;
}

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
export type JobSpec = Job['spec'];
export type JobStatus = NonNullable<Job['status']>;
export type JobCondition = NonNullable<JobStatus['conditions']>[number];
export type DaemonSetSpec = DaemonSet['spec'];
export type DaemonSetStatus = NonNullable<DaemonSet['status']>;
export type StatefulSetSpec = StatefulSet['spec'];
export type StatefulSetStatus = NonNullable<StatefulSet['status']>;
export type ObjectReference = Event['involvedObject'];
