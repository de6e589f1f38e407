/**
 * The Kubernetes schema Kubeql validates against (server/resources/openapi): what it declares, as
 * derived from kubernetes-models' validators, and that every field Kubeql's own shapes describe is
 * a field Kubernetes declares at the same place (Kubeql invents none).
 */
import { describe, expect, it } from 'vitest';
import { derivedSchemaFor, schemaAt, type DerivedSchema } from '../../server/resources/openapi/derived-schema.js';
import { kinds } from '../../server/resources/registry.js';
import type { Shape } from '../../server/resources/shape.js';

describe('the derived schema', () => {
  const pod = derivedSchemaFor('v1', 'Pod')!;
  const deployment = derivedSchemaFor('apps/v1', 'Deployment')!;

  it.each([
    [deployment, 'spec.replicas', { type: 'integer', format: 'int32' }],
    [pod, 'spec.terminationGracePeriodSeconds', { type: 'integer', format: 'int64' }],
    [pod, 'spec.containers.imagePullPolicy', { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] }],
    [pod, 'spec.containers.livenessProbe.httpGet.port', { 'x-kubernetes-int-or-string': true }],
    [pod, 'spec.containers.resources.requests', { type: 'object', additionalProperties: { 'x-kubernetes-int-or-string': true } }],
    [pod, 'metadata.labels', { type: 'object', additionalProperties: { type: 'string' } }],
    [pod, 'metadata.creationTimestamp', { type: 'string', format: 'date-time' }],
    [pod, 'spec.hostNetwork', { type: 'boolean' }],
    [pod, 'metadata.managedFields.fieldsV1', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }],
  ] as Array<[DerivedSchema, string, DerivedSchema]>)('%#: %s', (root, path, expected) => {
    expect(schemaAt(root, path)).toEqual(expected);
  });

  it('knows the typos from the real fields', () => {
    expect(schemaAt(deployment, 'spec.replica')).toBeUndefined();
    expect(schemaAt(pod, 'spec.containers.imagePullPolice')).toBeUndefined();
    expect(schemaAt(pod, 'spec.hostAliases')).toBeDefined();
    expect(schemaAt(pod, 'spec.volumes')).toBeDefined();
  });
});

/** Every field path Kubeql's shape describes, with list items and maps walked into. */
function shapePaths(shape: Shape, path: string, out: string[]): string[] {
  if (shape.t === 'array') return shapePaths(shape.of, path, out);
  if (shape.t !== 'object') return out;
  for (const [key, field] of Object.entries(shape.fields)) {
    const p = path ? `${path}.${key}` : key;
    out.push(p);
    shapePaths(field.shape, p, out);
  }
  return out;
}

describe("Kubeql's shapes against Kubernetes' schema", () => {
  it.each(kinds.map((k) => [k.kind, k] as const))('%s declares nothing Kubernetes does not', (_name, kind) => {
    const root = derivedSchemaFor(kind.apiVersion, kind.kind)!;
    expect(root).toBeDefined();
    const paths: string[] = [];
    for (const [field, def] of Object.entries(kind.body)) {
      paths.push(field);
      shapePaths(def.shape, field, paths);
    }
    if (kind.status) shapePaths(kind.status, 'status', paths);
    expect(paths.filter((p) => schemaAt(root, p) === undefined)).toEqual([]);
  });
});
