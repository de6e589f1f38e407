/**
 * Strategic merge patch on the supported kinds: the table of patch strategies covers every kind of
 * the registry, and each strategy and directive does on real objects what it does in Kubernetes.
 */
import { describe, expect, it } from 'vitest';
import { patchSchemaOf, patchTypes } from '../../../server/resources/kinds/patch-strategies.js';
import { kinds } from '../../../server/resources/registry.js';
import type { JsonMap } from '../../../server/resources/patch/json-value.js';
import { patchObject } from '../../../server/resources/patch/patch-object.js';
import { checkPatchTypes } from '../../../server/resources/patch/patch-schema.js';
import { createThreeWayMergePatch, createTwoWayMergePatch } from '../../../server/resources/patch/strategic-diff.js';
import { strategicMergePatch } from '../../../server/resources/patch/strategic-merge.js';

const smp = (kind: string, object: unknown, patch: unknown) => strategicMergePatch(object as JsonMap, patch as JsonMap, patchSchemaOf(kind));
/** kubectl apply: the three-way patch of last-applied, manifest and live, applied to live. */
const apply = (kind: string, lastApplied: unknown, manifest: unknown, live: unknown) => {
  const schema = patchSchemaOf(kind);
  const patch = createThreeWayMergePatch(lastApplied as JsonMap, manifest as JsonMap, live as JsonMap, schema);
  return { patch, result: strategicMergePatch(live as JsonMap, patch, schema) };
};

const pod = (spec: unknown, metadata: unknown = { name: 'p' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });

describe('the table of patch strategies', () => {
  it('has an entry for every kind of the registry, and every entry is well formed and names its Go field', () => {
    for (const kind of kinds) expect(Object.hasOwn(patchTypes, kind.kind), kind.kind).toBe(true);
    expect(checkPatchTypes(patchTypes)).toEqual([]);
    for (const fields of Object.values(patchTypes)) for (const f of Object.values(fields)) expect(f.go).toMatch(/\w/);
  });

  it('leads from each kind to the fields Kubernetes tags', () => {
    const meta = (kind: string, ...path: string[]) => {
      let schema = patchSchemaOf(kind);
      let meta;
      for (const key of path) ({ meta, schema } = schema.field(key));
      return meta;
    };
    expect(meta('Deployment', 'spec', 'template', 'spec', 'containers')).toMatchObject({ strategies: ['merge'], mergeKey: { name: 'name' } });
    expect(meta('ReplicaSet', 'spec', 'template', 'spec', 'initContainers', 'env')).toMatchObject({ strategies: ['merge'], mergeKey: { name: 'name' } });
    expect(meta('Pod', 'spec', 'containers', 'volumeMounts')).toMatchObject({ mergeKey: { name: 'mountPath' } });
    expect(meta('Pod', 'spec', 'volumes')).toMatchObject({ strategies: ['merge', 'retainKeys'], mergeKey: { name: 'name' } });
    expect(meta('Pod', 'spec', 'tolerations')).toMatchObject({ strategies: [] });
    expect(meta('Service', 'spec', 'ports')).toMatchObject({ mergeKey: { name: 'port', secondary: { field: 'protocol', default: 'TCP' } } });
    expect(meta('Node', 'status', 'conditions')).toMatchObject({ mergeKey: { name: 'type' } });
    expect(meta('Role', 'metadata', 'ownerReferences')).toMatchObject({ mergeKey: { name: 'uid' } });
    expect(meta('Deployment', 'spec', 'strategy')).toMatchObject({ strategies: ['retainKeys'] });
  });
});

describe('strategic merge patch on the kinds', () => {
  it('merges ownerReferences by uid and finalizers as a set; $deleteFromPrimitiveList removes one', () => {
    const live = {
      metadata: {
        name: 'x',
        finalizers: ['a', 'b'],
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
      },
    };
    const out = smp('Pod', live, {
      metadata: {
        finalizers: ['c', 'a'],
        ownerReferences: [{ uid: 'u1', blockOwnerDeletion: true }, { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2' }],
      },
    }) as any;
    expect(out.metadata.finalizers).toEqual(['c', 'a', 'b']);
    expect(out.metadata.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: true },
      { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2' },
    ]);
    expect((smp('Pod', out, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }) as any).metadata.finalizers).toEqual(['c', 'b']);
  });

  it('merges node conditions by type and podCIDRs as a set', () => {
    const live = { spec: { podCIDRs: ['10.0.0.0/24'] }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }] } };
    const out = smp('Node', live, { spec: { podCIDRs: ['fd00::/64'] }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletDown' }] } }) as any;
    expect(out.spec.podCIDRs).toEqual(['fd00::/64', '10.0.0.0/24']);
    expect(out.status.conditions).toEqual([
      { type: 'Ready', status: 'False', reason: 'KubeletDown' },
      { type: 'DiskPressure', status: 'False' },
    ]);
  });

  it('accepts $patch: merge, the default, on a map and on a list element', () => {
    const live = pod({ containers: [{ name: 'a', image: 'x:1' }], nodeSelector: { zone: 'z1' } });
    const out = smp('Pod', live, { spec: { $patch: 'merge', nodeSelector: { disk: 'ssd' }, containers: [{ name: 'a', image: 'x:2', $patch: 'merge' }] } }) as any;
    expect(out.spec).toEqual({ containers: [{ name: 'a', image: 'x:2' }], nodeSelector: { zone: 'z1', disk: 'ssd' } });
  });

  it('$patch: replace on a map replaces it; $patch: delete on a map removes its content', () => {
    const live = pod({ nodeSelector: { zone: 'z1', disk: 'ssd' }, securityContext: { runAsUser: 1000 } });
    const out = smp('Pod', live, { spec: { nodeSelector: { $patch: 'replace', zone: 'z2' }, securityContext: { $patch: 'delete' } } }) as any;
    expect(out.spec).toEqual({ nodeSelector: { zone: 'z2' }, securityContext: {} });
  });

  it('keeps 53/TCP and 53/UDP apart in container and Service ports; a port without protocol matches the one with its number', () => {
    const dns = { containers: [{ name: 'dns', image: 'coredns:1.11', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }] }] };
    let out = smp('Pod', pod(dns), { spec: { containers: [{ name: 'dns', ports: [{ containerPort: 53, protocol: 'TCP', name: 'dns-tcp' }] }] } }) as any;
    expect(out.spec.containers[0].ports).toEqual([
      { containerPort: 53, protocol: 'TCP', name: 'dns-tcp' },
      { containerPort: 53, protocol: 'UDP', name: 'dns' },
    ]);
    out = smp('Pod', out, { spec: { containers: [{ name: 'dns', ports: [{ containerPort: 53, protocol: 'UDP', $patch: 'delete' }] }] } }) as any;
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 53, protocol: 'TCP', name: 'dns-tcp' }]);
    // As a patch kubectl computes names the port alone.
    out = smp('Pod', out, { spec: { containers: [{ name: 'dns', ports: [{ containerPort: 53, name: 'renamed' }] }] } }) as any;
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 53, protocol: 'TCP', name: 'renamed' }]);

    const svc = { spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } };
    const lastApplied = structuredClone(svc);
    const manifest = { spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'metrics', port: 9153 }] } };
    const { result } = apply('Service', lastApplied, manifest, svc);
    expect((result as any).spec.ports).toEqual([
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'metrics', port: 9153 },
    ]);
  });

  it('apply of a volume whose source changes drops the old source ($retainKeys of volumes)', () => {
    const v1 = pod({ containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'data', emptyDir: {} }] });
    const v2 = pod({ containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'data', configMap: { name: 'cm' } }] });
    const { patch, result } = apply('Pod', v1, v2, v1);
    expect((patch as any).spec.volumes).toEqual([{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, emptyDir: null, name: 'data' }]);
    expect((result as any).spec.volumes).toEqual([{ name: 'data', configMap: { name: 'cm' } }]);
  });

  it('apply deletes only what last-applied had: a volume mount another writer added stays, one dropped from the manifest goes', () => {
    const container = (mounts: string[]) => ({ name: 'a', image: 'x', volumeMounts: mounts.map((m) => ({ name: m.slice(1), mountPath: m })) });
    const lastApplied = pod({ containers: [container(['/data', '/cache'])] });
    const live = pod({ containers: [container(['/injected', '/data', '/cache'])] });
    const manifest = pod({ containers: [container(['/data'])] });
    const { result } = apply('Pod', lastApplied, manifest, live);
    expect((result as any).spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(['/injected', '/data']);
  });

  it('keeps an own "__proto__" key a key, in strategic and JSON merge patches alike', () => {
    const p = JSON.parse('{"metadata":{"__proto__":{"polluted":1},"labels":{"__proto__":"x"}}}');
    for (const type of ['STRATEGIC', 'MERGE'] as const) {
      const out = patchObject(type, 'Pod', { metadata: { name: 'p', labels: {} } }, p) as any;
      expect(Object.getPrototypeOf(out.metadata), type).toBe(Object.prototype);
      expect(JSON.stringify(out), type).toContain('"__proto__":{"polluted":1}');
      expect(out.metadata.labels, type).toEqual(JSON.parse('{"__proto__":"x"}'));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is reached through patchObject by type, and an unknown type is refused', () => {
    const live = pod({ containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }] }) as unknown as JsonMap;
    const p = { spec: { containers: [{ name: 'a', image: 'x:2' }] } };
    expect((patchObject('STRATEGIC', 'Pod', live, p) as any).spec.containers).toHaveLength(2);
    expect((patchObject('MERGE', 'Pod', live, p) as any).spec.containers).toHaveLength(1);
    expect((patchObject('JSON', 'Pod', live, [{ op: 'replace', path: '/spec/containers/1/image', value: 'y:2' }]) as any).spec.containers[1].image).toBe('y:2');
    expect(() => patchObject('XML' as never, 'Pod', live, p)).toThrow('unknown patch type');
    expect(live.spec).toEqual({ containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }] }); // untouched
  });
});

describe('as Kubernetes, quirks included', () => {
  it('a two-way patch does not carry a new order of a merging list of scalars alone', () => {
    const patch = createTwoWayMergePatch({ metadata: { finalizers: ['b', 'a'] } }, { metadata: { finalizers: ['a', 'b'] } }, patchSchemaOf('Pod'));
    expect(patch).toEqual({});
  });

  it('an element a patch adds to a merging list comes before the live elements the patch does not name', () => {
    const out = smp('Pod', pod({ containers: [{ name: 'a', image: 'x' }] }), { spec: { containers: [{ name: 'b', image: 'y' }] } }) as any;
    expect(out.spec.containers.map((c: { name: string }) => c.name)).toEqual(['b', 'a']);
  });

  it('directives inside a value added whole are not stored', () => {
    const out = smp('Pod', pod({}), {
      spec: { containers: [{ name: 'a', image: 'x', '$setElementOrder/env': [{ name: 'E' }], env: [{ name: 'E', value: '1' }, { name: 'F', $patch: 'delete' }] }] },
    }) as any;
    expect(out.spec.containers).toEqual([{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }]);
    // Nor inside a value that replaces whole: a map with $patch: replace, a list without a strategy.
    const replaced = smp('Pod', pod({ nodeSelector: { a: '1' }, tolerations: [{ key: 'k' }] }), {
      spec: { nodeSelector: { $patch: 'replace', b: '2', c: null, d: { $patch: 'delete' } }, tolerations: [{ key: 'n', value: null }, { $patch: 'delete', key: 'k' }] },
    }) as any;
    expect(replaced.spec).toEqual({ nodeSelector: { b: '2' }, tolerations: [{ key: 'n' }] });
  });
});
