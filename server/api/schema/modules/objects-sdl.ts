/**
 * The objects module's SDL, generated from the registry of kinds: every kind gets the same
 * queries, mutations, connection and input types (DESIGN §4).
 */
import type { KindDef } from '../../../resources/kind.js';
import type { ObjectShape } from '../../../resources/shape.js';
import { collectObjectShapes, fieldRef, objectTypeSDL } from '../shape-types.js';

const COMMON = `"""A position in the event log: a JSON number, exact to 2^53. Accepts a number or a string of digits."""
scalar Revision

"""An RFC 3339 timestamp (2006-01-02T15:04:05Z)."""
scalar DateTime

"""Any JSON value."""
scalar JSON

enum PropagationPolicy {
  Background
  Foreground
  Orphan
}

"""The patch types of kubectl patch --type."""
enum PatchType {
  """Strategic merge patch: lists merge by the field's merge key (containers by name, ports by containerPort, ...), with the directives $patch, $retainKeys, $setElementOrder and $deleteFromPrimitiveList."""
  STRATEGIC
  """JSON merge patch (RFC 7386): objects merge, null deletes, lists are replaced whole."""
  MERGE
  """JSON patch (RFC 6902): a list of add, remove, replace, move, copy and test operations, all or nothing."""
  JSON
}

type OwnerReference {
  apiVersion: String!
  kind: String!
  name: String!
  uid: String!
  controller: Boolean
  blockOwnerDeletion: Boolean
}

input OwnerReferenceInput {
  apiVersion: String!
  kind: String!
  name: String!
  uid: String!
  controller: Boolean
  blockOwnerDeletion: Boolean
}

type ObjectMeta {
  name: String!
  generateName: String
  namespace: String
  uid: String!
  """The revision of the object's last event, as a string, as Kubernetes clients expect."""
  resourceVersion: String!
  generation: Int!
  creationTimestamp: DateTime!
  deletionTimestamp: DateTime
  deletionGracePeriodSeconds: Int
  """A map of string keys to string values."""
  labels: JSON
  """A map of string keys to string values."""
  annotations: JSON
  finalizers: [String!]
  ownerReferences: [OwnerReference!]
}

"""Metadata of a write. System fields (uid, generation, timestamps) are accepted and ignored; resourceVersion is an update's precondition."""
input ObjectMetaInput {
  name: String
  generateName: String
  namespace: String
  uid: String
  resourceVersion: String
  generation: Int
  creationTimestamp: DateTime
  deletionTimestamp: DateTime
  deletionGracePeriodSeconds: Int
  labels: JSON
  annotations: JSON
  finalizers: [String!]
  ownerReferences: [OwnerReferenceInput!]
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}`;

function scopeArgs(kind: KindDef): string {
  return kind.namespaced ? 'namespace: String!, name: String!' : 'name: String!';
}

function kindTypes(kind: KindDef): string {
  const k = kind.kind;
  const body = Object.entries(kind.body).map(([name, f]) => `  ${name}: ${fieldRef({ ...f, required: false })}`);
  const bodyInputs = Object.keys(kind.body).map((name) => `  ${name}: JSON`);
  return [
    `type ${k} {\n  apiVersion: String!\n  kind: String!\n  metadata: ObjectMeta!\n${body.join('\n')}\n${kind.status ? `  status: ${kind.status.name}\n` : ''}  """The whole stored object, unknown fields included."""\n  manifest: JSON!\n}`,
    `type ${k}Edge {\n  cursor: String!\n  node: ${k}!\n}`,
    `type ${k}Connection {\n  edges: [${k}Edge!]!\n  pageInfo: PageInfo!\n  """The revision this list is consistent at; later pages read at the same revision."""\n  revision: Revision!\n}`,
    `input ${k}Input {\n  apiVersion: String\n  kind: String\n  metadata: ObjectMetaInput!\n${bodyInputs.join('\n')}\n  """Ignored: status is written with update${k}Status."""\n  status: JSON\n}`,
  ].join('\n\n');
}

function queryFields(kind: KindDef): string[] {
  const ns = kind.namespaced ? 'namespace: String, ' : '';
  return [
    `  ${kind.getField}(${scopeArgs(kind)}, atRevision: Revision): ${kind.kind}`,
    `  """Label selectors use the Kubernetes grammar; field selectors: metadata.name, metadata.namespace${kind.fieldSelectors.map((f) => `, ${f}`).join('')}. first defaults to 500 (at most 10000)."""\n  ${kind.listField}(${ns}labelSelector: String, fieldSelector: String, first: Int, after: String, atRevision: Revision): ${kind.kind}Connection!`,
  ];
}

function mutationFields(kind: KindDef): string[] {
  const k = kind.kind;
  return [
    `  create${k}(input: ${k}Input!, requestId: String): ${k}!`,
    `  """input.metadata.resourceVersion, when given, is the precondition."""\n  update${k}(input: ${k}Input!, requestId: String): ${k}!`,
    `  """Patches the object; type defaults to MERGE (JSON merge patch, RFC 7386). A resourceVersion, or the patch's metadata.resourceVersion, is the precondition."""\n  patch${k}(${scopeArgs(kind)}, patch: JSON!, type: PatchType, resourceVersion: String, requestId: String): ${k}!`,
    `  update${k}Status(${scopeArgs(kind)}, status: JSON!, resourceVersion: String, requestId: String): ${k}!`,
    `  delete${k}(${scopeArgs(kind)}, resourceVersion: String, propagationPolicy: PropagationPolicy, gracePeriodSeconds: Int, requestId: String): ${k}!`,
  ];
}

export function objectsSDL(kinds: readonly KindDef[]): string {
  const shapes = new Map<string, ObjectShape>();
  for (const kind of kinds) collectObjectShapes([...Object.values(kind.body).map((f) => f.shape), ...(kind.status ? [kind.status] : [])], shapes);
  const parts = [
    COMMON,
    `"""Every kind, spelled as Kubernetes spells it."""\nenum Kind {\n${kinds.map((k) => `  ${k.kind}`).join('\n')}\n}`,
    `union Resource = ${kinds.map((k) => k.kind).join(' | ')}`,
    ...kinds.map(kindTypes),
    ...[...shapes.values()].sort((a, b) => a.name.localeCompare(b.name)).map(objectTypeSDL),
    `type Query {\n  """The head of the log: the newest revision."""\n  revision: Revision!\n${kinds.flatMap(queryFields).join('\n')}\n}`,
    `type Mutation {\n${kinds.flatMap(mutationFields).join('\n')}\n}`,
  ];
  return parts.join('\n\n');
}
