/**
 * How the fields of the supported kinds merge in a strategic merge patch: every `patchStrategy`
 * and `patchMergeKey` struct tag of the Go types of those kinds (k8s.io/api core/v1, apps/v1,
 * coordination/v1, rbac/v1 and apimachinery meta/v1), and the fields that lead to them. Each entry
 * names the Go field it comes from. A field not listed has no tag: maps merge key by key, lists
 * are replaced whole (`tolerations`, `subsets`, `rules` and `taints` among them, as in Kubernetes).
 *
 * No kept npm package ships the Kubernetes OpenAPI document with x-kubernetes-patch-strategy and
 * x-kubernetes-patch-merge-key (kubernetes-models' schemas drop them), hence this one table.
 */
import { schemaOf, type PatchField, type PatchSchema, type PatchTypes } from '../patch/patch-schema.js';

const metadata: PatchField = { go: 'metav1.ObjectMeta (embedded as metadata)', type: 'ObjectMeta' };
const conditions = (goType: string): PatchField => ({ go: `${goType}.Conditions`, strategy: 'merge', mergeKey: 'type' });
/**
 * Ports are told apart by protocol too, as Kubernetes' list-map keys (server-side apply) do: its
 * strategic merge patch keys them by port alone and merges 53/TCP with 53/UDP. A patch element
 * that does not name a protocol still matches the one element with its port.
 */
const containerPortProtocol = (goType: string) => ({
  field: 'protocol',
  default: 'TCP',
  go: `core/v1 ${goType}.Ports +listMapKey=containerPort,protocol (ContainerPort.Protocol defaults to TCP)`,
});

export const patchTypes: PatchTypes = {
  // k8s.io/apimachinery/pkg/apis/meta/v1
  ObjectMeta: {
    finalizers: { go: 'metav1.ObjectMeta.Finalizers', strategy: 'merge' },
    ownerReferences: { go: 'metav1.ObjectMeta.OwnerReferences', strategy: 'merge', mergeKey: 'uid' },
  },

  // k8s.io/api/core/v1
  Pod: {
    metadata,
    spec: { go: 'core/v1 Pod.Spec', type: 'PodSpec' },
    status: { go: 'core/v1 Pod.Status', type: 'PodStatus' },
  },
  PodSpec: {
    volumes: { go: 'core/v1 PodSpec.Volumes', strategy: 'merge,retainKeys', mergeKey: 'name' },
    initContainers: { go: 'core/v1 PodSpec.InitContainers', strategy: 'merge', mergeKey: 'name', type: 'Container' },
    containers: { go: 'core/v1 PodSpec.Containers', strategy: 'merge', mergeKey: 'name', type: 'Container' },
    ephemeralContainers: { go: 'core/v1 PodSpec.EphemeralContainers', strategy: 'merge', mergeKey: 'name', type: 'EphemeralContainer' },
    imagePullSecrets: { go: 'core/v1 PodSpec.ImagePullSecrets', strategy: 'merge', mergeKey: 'name' },
    hostAliases: { go: 'core/v1 PodSpec.HostAliases', strategy: 'merge', mergeKey: 'ip' },
    topologySpreadConstraints: { go: 'core/v1 PodSpec.TopologySpreadConstraints', strategy: 'merge', mergeKey: 'topologyKey' },
    schedulingGates: { go: 'core/v1 PodSpec.SchedulingGates', strategy: 'merge', mergeKey: 'name' },
    resourceClaims: { go: 'core/v1 PodSpec.ResourceClaims', strategy: 'merge,retainKeys', mergeKey: 'name' },
    evictionResponders: { go: 'core/v1 PodSpec.EvictionResponders', strategy: 'merge', mergeKey: 'name' },
  },
  Container: {
    ports: { go: 'core/v1 Container.Ports', strategy: 'merge', mergeKey: 'containerPort', secondaryKey: containerPortProtocol('Container') },
    env: { go: 'core/v1 Container.Env', strategy: 'merge', mergeKey: 'name' },
    volumeMounts: { go: 'core/v1 Container.VolumeMounts', strategy: 'merge', mergeKey: 'mountPath' },
    volumeDevices: { go: 'core/v1 Container.VolumeDevices', strategy: 'merge', mergeKey: 'devicePath' },
  },
  EphemeralContainer: {
    ports: { go: 'core/v1 EphemeralContainerCommon.Ports', strategy: 'merge', mergeKey: 'containerPort', secondaryKey: containerPortProtocol('EphemeralContainerCommon') },
    env: { go: 'core/v1 EphemeralContainerCommon.Env', strategy: 'merge', mergeKey: 'name' },
    volumeMounts: { go: 'core/v1 EphemeralContainerCommon.VolumeMounts', strategy: 'merge', mergeKey: 'mountPath' },
    volumeDevices: { go: 'core/v1 EphemeralContainerCommon.VolumeDevices', strategy: 'merge', mergeKey: 'devicePath' },
  },
  PodStatus: {
    conditions: conditions('core/v1 PodStatus'),
    hostIPs: { go: 'core/v1 PodStatus.HostIPs', strategy: 'merge', mergeKey: 'ip' },
    podIPs: { go: 'core/v1 PodStatus.PodIPs', strategy: 'merge', mergeKey: 'ip' },
    initContainerStatuses: { go: 'core/v1 PodStatus.InitContainerStatuses', type: 'ContainerStatus' },
    containerStatuses: { go: 'core/v1 PodStatus.ContainerStatuses', type: 'ContainerStatus' },
    ephemeralContainerStatuses: { go: 'core/v1 PodStatus.EphemeralContainerStatuses', type: 'ContainerStatus' },
    resourceClaimStatuses: { go: 'core/v1 PodStatus.ResourceClaimStatuses', strategy: 'merge,retainKeys', mergeKey: 'name' },
    nodeAllocatableResourceClaimStatuses: {
      go: 'core/v1 PodStatus.NodeAllocatableResourceClaimStatuses',
      strategy: 'merge',
      mergeKey: 'resourceClaimName',
      type: 'NodeAllocatableResourceClaimStatus',
    },
  },
  ContainerStatus: {
    volumeMounts: { go: 'core/v1 ContainerStatus.VolumeMounts', strategy: 'merge', mergeKey: 'mountPath' },
    allocatedResourcesStatus: { go: 'core/v1 ContainerStatus.AllocatedResourcesStatus', strategy: 'merge', mergeKey: 'name' },
  },
  NodeAllocatableResourceClaimStatus: {
    mapping: { go: 'core/v1 NodeAllocatableResourceClaimStatus.Mapping', strategy: 'merge', mergeKey: 'name' },
    overhead: { go: 'core/v1 NodeAllocatableResourceClaimStatus.Overhead', strategy: 'merge', mergeKey: 'name' },
  },
  PodTemplateSpec: {
    metadata,
    spec: { go: 'core/v1 PodTemplateSpec.Spec', type: 'PodSpec' },
  },
  Service: {
    metadata,
    spec: { go: 'core/v1 Service.Spec', type: 'ServiceSpec' },
    status: { go: 'core/v1 Service.Status', type: 'ServiceStatus' },
  },
  ServiceSpec: {
    ports: {
      go: 'core/v1 ServiceSpec.Ports',
      strategy: 'merge',
      mergeKey: 'port',
      secondaryKey: { field: 'protocol', default: 'TCP', go: 'core/v1 ServiceSpec.Ports +listMapKey=port,protocol (ServicePort.Protocol defaults to TCP)' },
    },
  },
  ServiceStatus: {
    conditions: conditions('core/v1 ServiceStatus'),
  },
  Node: {
    metadata,
    spec: { go: 'core/v1 Node.Spec', type: 'NodeSpec' },
    status: { go: 'core/v1 Node.Status', type: 'NodeStatus' },
  },
  NodeSpec: {
    podCIDRs: { go: 'core/v1 NodeSpec.PodCIDRs', strategy: 'merge' },
  },
  NodeStatus: {
    conditions: conditions('core/v1 NodeStatus'),
    addresses: { go: 'core/v1 NodeStatus.Addresses', strategy: 'merge', mergeKey: 'type' },
  },
  Namespace: {
    metadata,
    status: { go: 'core/v1 Namespace.Status', type: 'NamespaceStatus' },
  },
  NamespaceStatus: {
    conditions: conditions('core/v1 NamespaceStatus'),
  },
  ServiceAccount: {
    metadata,
    secrets: { go: 'core/v1 ServiceAccount.Secrets', strategy: 'merge', mergeKey: 'name' },
  },
  Endpoints: { metadata },
  ResourceQuota: { metadata },

  // k8s.io/api/apps/v1
  ReplicaSet: {
    metadata,
    spec: { go: 'apps/v1 ReplicaSet.Spec', type: 'ReplicaSetSpec' },
    status: { go: 'apps/v1 ReplicaSet.Status', type: 'ReplicaSetStatus' },
  },
  ReplicaSetSpec: {
    template: { go: 'apps/v1 ReplicaSetSpec.Template', type: 'PodTemplateSpec' },
  },
  ReplicaSetStatus: {
    conditions: conditions('apps/v1 ReplicaSetStatus'),
  },
  Deployment: {
    metadata,
    spec: { go: 'apps/v1 Deployment.Spec', type: 'DeploymentSpec' },
    status: { go: 'apps/v1 Deployment.Status', type: 'DeploymentStatus' },
  },
  DeploymentSpec: {
    template: { go: 'apps/v1 DeploymentSpec.Template', type: 'PodTemplateSpec' },
    strategy: { go: 'apps/v1 DeploymentSpec.Strategy', strategy: 'retainKeys' },
  },
  DeploymentStatus: {
    conditions: conditions('apps/v1 DeploymentStatus'),
  },

  // k8s.io/api/coordination/v1 and rbac/v1: no patch tags beyond ObjectMeta's
  Lease: { metadata },
  Role: { metadata },
  ClusterRole: { metadata },
  RoleBinding: { metadata },
  ClusterRoleBinding: { metadata },
};

/** The strategic merge patch schema of a kind's whole object. */
export function patchSchemaOf(kind: string): PatchSchema {
  return schemaOf(patchTypes, kind);
}
