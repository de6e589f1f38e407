/**
 * What a kind is: one module per kind fills this in, and the registry of kinds feeds the
 * GraphQL schema, validation, defaults, the store's projections and the resolvers.
 */
import type { Field, ObjectShape } from './shape.js';
import type { FieldError } from './validation/field-error.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  generateName?: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [unknown: string]: unknown;
}

/** A stored object: the Kubernetes envelope. Body fields (`spec`, `subsets`, ...) are kind-specific. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  status?: Record<string, unknown>;
  [body: string]: unknown;
}

/** A value an object holds in a pool that must stay unique cluster-wide (a ClusterIP, a pod CIDR). */
export interface Allocation {
  pool: string;
  value: string;
  /** The field that holds it, for error messages (`spec.clusterIP`). */
  field: string;
}

/** Picks free values inside the write transaction; the store keeps each (pool, value) unique. */
export interface Allocator {
  isAllocated(pool: string, value: string): boolean;
  readonly serviceClusterIpRange: string;
  /** NodePorts, `30000-32767`. */
  readonly serviceNodePortRange: string;
  readonly podNetwork: string;
  readonly podCidrPrefix: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
}

/** A kind: its names and shapes, and the hooks the API runs on its objects (typed as `O`, the kind's `Infer<typeof XShape>`). */
export interface KindDef<O extends KObject = KObject> {
  kind: string;
  apiVersion: string;
  /** Lower-case plural, as RBAC and kubectl name it (`pods`, `replicasets`). */
  resource: string;
  /** GraphQL field names: `pod` and `pods`; `endpoints` and `endpointsList`. */
  getField: string;
  listField: string;
  shortNames: readonly string[];
  namespaced: boolean;
  /** Errors for a `metadata.name` (DNS-1123 subdomain, label, or DNS-1035 label as the kind wants). */
  nameErrors(name: string): string[];
  /** Top-level body fields other than apiVersion, kind, metadata and status (`spec`, or `subsets`). */
  body: Record<string, Field>;
  status?: ObjectShape;
  /** Field selectors beyond `metadata.name` and `metadata.namespace`, as JSON paths (`spec.nodeName`). */
  fieldSelectors: readonly string[];
  /** Kubernetes' defaults for the body; idempotent, applied on every write of the body. */
  applyDefaults?(obj: O): void;
  /** Rules beyond the shape (uniqueness, cross-field checks, quantities). Paths are relative to the object. */
  validate?(obj: O): FieldError[];
  /** Values the server allocated are kept when an update leaves them out (Kubernetes' patchAllocatedValues). */
  keepAllocated?(next: O, old: O): void;
  /** Rules for an update against the stored object (immutable fields). */
  validateUpdate?(next: O, old: O): FieldError[];
  /** What the server sets at create from the new uid and name (Kubernetes' PrepareForCreate: a Job's generated selector). */
  prepareForCreate?(obj: O): void;
  /** Status the server sets at create (a Pod starts Pending, a Namespace Active). */
  initialStatus?(obj: O): Record<string, unknown> | undefined;
  /** Fills in values the server allocates at create (ClusterIP, podCIDR); errors name the field. */
  allocate?(obj: O, allocator: Allocator): FieldError[];
  /** Fills in values an update calls for (a Service turned NodePort, a port added); `old` is the stored object, whose values are its own. */
  allocateUpdate?(next: O, old: O, allocator: Allocator): FieldError[];
  /** Values held in allocation pools; the projection keeps them and frees them on delete. */
  allocations?(obj: O): Allocation[];
  /** A delete starts: set what Kubernetes sets (a Namespace turns Terminating, a bound Pod gets its grace period). */
  beginDeletion?(obj: O, options: DeleteOptions): void;
  /** While true, a deleting object stays even without finalizers (a Namespace's spec.finalizers, a Pod in its grace period). */
  holdsDeletion?(obj: O): boolean;
  /** The kind has a scale subresource (`scale<Kind>`): the dotted path of its replica count (`spec.replicas`). */
  scale?: { replicasPath: string };
}
