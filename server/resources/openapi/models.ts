/**
 * The Kubernetes OpenAPI schema of the kinds Kubeql serves, as the `kubernetes-models` package
 * ships it (generated from Kubernetes' own OpenAPI document and compiled into validators). This
 * module is the one place that knows where the schema comes from; validation (field-check.ts) and
 * any later server of `/openapi` reach it through `schemaFor`.
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Endpoints } from 'kubernetes-models/v1/Endpoints';
import { Event } from 'kubernetes-models/v1/Event';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Node } from 'kubernetes-models/v1/Node';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Lease } from 'kubernetes-models/coordination.k8s.io/v1/Lease';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';

/** A model class of kubernetes-models: its `apiVersion`, `kind`, and `prototype.validate`, which checks `this` against the schema. */
interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(): void };
}

const MODELS: readonly ModelClass[] = [
  Namespace,
  Node,
  Pod,
  Service,
  Endpoints,
  ResourceQuota,
  ServiceAccount,
  Deployment,
  ReplicaSet,
  Lease,
  Role,
  ClusterRole,
  RoleBinding,
  ClusterRoleBinding,
  ConfigMap,
  Secret,
  Event,
  Job,
  DaemonSet,
  StatefulSet,
];

const byKey = new Map(MODELS.map((m) => [`${m.apiVersion}/${m.kind}`, m]));

/** An error of the schema's validator, as Ajv reports it (a JSON pointer into the object, a keyword, its parameters). */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface KindSchema {
  apiVersion: string;
  kind: string;
  /** Validates a whole object (envelope, metadata, body, status); an empty list when valid. */
  validate(object: object): SchemaError[];
}

function isValidationError(e: unknown): e is { errors: SchemaError[] } {
  return typeof e === 'object' && e !== null && Array.isArray((e as { errors?: unknown }).errors);
}

const schemas = new Map<string, KindSchema>();

/** The schema of one kind (one object per kind, so what is learnt about it is kept), or undefined for a kind Kubernetes does not define. */
export function schemaFor(apiVersion: string, kind: string): KindSchema | undefined {
  const key = `${apiVersion}/${kind}`;
  const known = schemas.get(key);
  if (known) return known;
  const model = byKey.get(key);
  if (!model) return undefined;
  const schema: KindSchema = {
    apiVersion,
    kind,
    validate(object) {
      try {
        // The model's own validate() checks `this`: the object as given, not a copy.
        model.prototype.validate.call(object);
        return [];
      } catch (e) {
        if (isValidationError(e)) return e.errors;
        throw e;
      }
    },
  };
  schemas.set(key, schema);
  return schema;
}
