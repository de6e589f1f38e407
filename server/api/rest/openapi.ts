/**
 * OpenAPI documents generated from the registry's shapes: `/openapi/v3` (the index of group
 * versions), `/openapi/v3/<api/v1 | apis/group/version>` (paths with the GVK extension and the
 * query parameters kubectl checks for, notably fieldValidation; schemas with
 * x-kubernetes-group-version-kind for `kubectl explain`) and `/openapi/v2` (Swagger 2.0, JSON).
 * Body fields Kubeql keeps without acting on them are allowed (preserve-unknown-fields): a real
 * manifest must apply unchanged.
 */
import { createHash } from 'node:crypto';
import type { Field, ObjectShape, Shape } from '../../resources/shape.js';
import { apiResources, groupVersion, groupVersions, resourcesOf, type ApiResource } from './api-resources.js';

type Schema = Record<string, unknown>;

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function schemaName(r: ApiResource): string {
  const group = r.group === '' ? 'core' : r.group.replace(/\.k8s\.io$/, '');
  return `io.k8s.api.${group}.${r.version}.${r.kind}`;
}

/** Schemas of every kind and the object shapes they use (named once each), refs under `prefix`. */
function schemas(prefix: string): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const ref = (name: string) => ({ $ref: `${prefix}${name}` });
  const shapeName = (s: ObjectShape) => `io.kubeql.shapes.${s.name}`;

  function shapeSchema(shape: Shape): Schema {
    switch (shape.t) {
      case 'string':
        return { type: 'string', ...(shape.enum ? { enum: [...shape.enum] } : {}) };
      case 'int':
        return { type: 'integer', format: 'int32', ...(shape.min !== undefined ? { minimum: shape.min } : {}), ...(shape.max !== undefined ? { maximum: shape.max } : {}) };
      case 'bool':
        return { type: 'boolean' };
      case 'dateTime':
        return { type: 'string', format: 'date-time' };
      case 'json':
        return { 'x-kubernetes-preserve-unknown-fields': true };
      case 'stringMap':
        return { type: 'object', additionalProperties: { type: 'string', default: '' } };
      case 'intOrString':
        return { 'x-kubernetes-int-or-string': true, format: 'int-or-string' };
      case 'array':
        return { type: 'array', items: shapeSchema(shape.of) };
      case 'object': {
        const name = shapeName(shape);
        if (!out[name]) {
          out[name] = {}; // placeholder against cycles
          out[name] = objectSchema(shape.fields, `${shape.name}.`);
        }
        return ref(name);
      }
    }
  }

  function objectSchema(fields: Record<string, Field>, what: string): Schema {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const [key, field] of Object.entries(fields)) {
      const s = shapeSchema(field.shape);
      properties[key] = field.description ? (s.$ref ? { allOf: [s], description: field.description } : { ...s, description: field.description }) : s;
      if (field.required) required.push(key);
    }
    return {
      type: 'object',
      description: `${what.replace(/\.$/, '')} as Kubeql keeps it; fields Kubeql does not act on are kept as given.`,
      properties,
      ...(required.length ? { required } : {}),
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }

  out[OBJECT_META] = {
    type: 'object',
    description: "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    properties: {
      name: { type: 'string', description: 'Name must be unique within a namespace.' },
      generateName: { type: 'string', description: 'An optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.' },
      namespace: { type: 'string', description: 'Namespace defines the space within which each name must be unique.' },
      uid: { type: 'string', description: 'UID is the unique in time and space value for this object, set by the server.' },
      resourceVersion: { type: 'string', description: 'An opaque value that represents the internal version of this object: in Kubeql, the revision of the log that last changed it.' },
      generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.' },
      creationTimestamp: { type: 'string', format: 'date-time', description: 'The server time when this object was created.' },
      deletionTimestamp: { type: 'string', format: 'date-time', description: 'The time after which this resource will be deleted.' },
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Seconds allowed for this object to gracefully terminate.' },
      labels: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Map of string keys and values that can be used to organize and categorize objects.' },
      annotations: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Annotations is an unstructured key value map stored with a resource.' },
      finalizers: { type: 'array', items: { type: 'string', default: '' }, description: 'Must be empty before the object is deleted from the registry.' },
      ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'List of objects depended by this object.' },
    },
  };

  for (const r of apiResources) {
    if (!r.def) continue;
    const fields: Record<string, Schema> = {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { allOf: [ref(OBJECT_META)], default: {}, description: "Standard object's metadata." },
    };
    for (const [key, field] of Object.entries(r.def.body)) {
      const s = shapeSchema(field.shape);
      fields[key] = s.$ref ? { allOf: [s], default: {}, description: field.description ?? `The ${key} of the ${r.kind}.` } : { ...s, description: field.description ?? `The ${key} of the ${r.kind}.` };
    }
    if (r.def.status) fields.status = { allOf: [shapeSchema(r.def.status)], default: {}, description: `The most recently observed status of the ${r.kind}, set by the system.` };
    out[schemaName(r)] = {
      type: 'object',
      description: `${r.kind} (${groupVersion(r.group, r.version)}), as Kubeql serves it.`,
      properties: fields,
      'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.kind, version: r.version }],
    };
  }
  return out;
}

const queryParam = (name: string, description: string, type = 'string') => ({ name, in: 'query', description, schema: { type }, uniqueItems: true });
const WRITE_PARAMS = [
  queryParam('dryRun', 'When present, modifications are not persisted. The only valid value is All.'),
  queryParam('fieldManager', 'A name associated with the actor or entity making these changes.'),
  queryParam('fieldValidation', 'What a field the schema does not declare does: Strict refuses the write, Warn (the default) drops it with a warning, Ignore drops it silently. Fields Kubeql keeps without acting on them are always answered with a warning.'),
];

/** The OpenAPI v3 document of one group version, or undefined. */
function groupVersionDocument(group: string, version: string) {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  const all = schemas('#/components/schemas/');
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const body = r.def ? { content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(r)}` } } } } : undefined;
    const op = (verb: string, action: string, params: unknown[] = []) => ({
      description: `${verb} ${r.kind}`,
      operationId: `${verb}${r.kind}`,
      parameters: params,
      ...(body && ['create', 'replace', 'patch'].includes(verb) ? { requestBody: body } : {}),
      responses: { '200': body ? { description: 'OK', ...body } : { description: 'OK' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    const scopes = r.namespaced ? [`${base}/namespaces/{namespace}/${r.resource}`] : [`${base}/${r.resource}`];
    for (const collection of scopes) {
      paths[collection] = r.def
        ? { get: op('list', 'list'), post: op('create', 'post', WRITE_PARAMS), delete: op('deletecollection', 'deletecollection', WRITE_PARAMS) }
        : { post: op('create', 'post', WRITE_PARAMS) };
      if (r.def)
        paths[`${collection}/{name}`] = {
          get: op('read', 'get'),
          put: op('replace', 'put', WRITE_PARAMS),
          patch: op('patch', 'patch', [...WRITE_PARAMS, queryParam('force', 'Force is only allowed with server-side apply.', 'boolean')]),
          delete: op('delete', 'delete', WRITE_PARAMS),
        };
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubeql', version: groupVersion(group, version) },
    paths,
    components: { schemas: all },
  };
}

const hashOf = (doc: unknown) => createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();

function v3Index() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of groupVersions()) {
    const key = group === '' ? `api/${version}` : `apis/${group}/${version}`;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(groupVersionDocument(group, version))}` };
  }
  return { paths };
}

function v2Document() {
  return { swagger: '2.0', info: { title: 'Kubeql', version: 'v1.32.0-kubeql' }, paths: {}, definitions: schemas('#/definitions/') };
}

function build(rest: string[]): unknown {
  if (rest.length === 1 && rest[0] === 'v2') return v2Document();
  if (rest[0] !== 'v3') return undefined;
  if (rest.length === 1) return v3Index();
  if (rest[1] === 'api' && rest.length === 3) return groupVersionDocument('', rest[2]);
  if (rest[1] === 'apis' && rest.length === 4) return groupVersionDocument(rest[2], rest[3]);
  return undefined;
}

/** The documents depend on the registry alone: built once each. */
const built = new Map<string, unknown>();

/** The document at /openapi/<rest...>, or undefined (404). */
export function openApiDocument(rest: string[]): unknown {
  const key = rest.join('/');
  if (!built.has(key)) {
    const doc = build(rest);
    if (doc === undefined) return undefined;
    built.set(key, doc);
  }
  return built.get(key);
}
