/**
 * Types flow from the registry: a kind's shape is the TypeScript type of its objects
 * (`Infer<typeof PodShape>` is a Pod), checked by the type checker (`npm test` runs tsc first);
 * and the shapes that produce those types are the ones the API validates with.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PodShape, pod, type Pod } from '../../server/resources/kinds/pod.js';
import { ServiceShape, type Service } from '../../server/resources/kinds/service.js';
import type { Infer } from '../../server/resources/shape.js';
import type { KindTypes, ObjectOf } from '../../server/resources/objects.js';
import { kinds } from '../../server/resources/registry.js';

describe('types inferred from the registry', () => {
  it('Infer<typeof PodShape> is a Pod: required fields required, enums as unions, optional fields optional', () => {
    expectTypeOf<Infer<typeof PodShape>>().toEqualTypeOf<Pod>();
    expectTypeOf<Pod['kind']>().toEqualTypeOf<'Pod'>();
    expectTypeOf<Pod['spec']['containers'][number]['name']>().toEqualTypeOf<string>();
    expectTypeOf<Pod['spec']['restartPolicy']>().toEqualTypeOf<'Always' | 'OnFailure' | 'Never' | undefined>();
    expectTypeOf<NonNullable<Pod['status']>['phase']>().toEqualTypeOf<'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown' | undefined>();
    expectTypeOf<NonNullable<Pod['spec']['nodeSelector']>>().toEqualTypeOf<Record<string, string>>();
    expectTypeOf<NonNullable<Infer<typeof ServiceShape>['spec']['ports']>[number]['targetPort']>().toEqualTypeOf<string | number | undefined>();
    expectTypeOf<ObjectOf<'Service'>>().toEqualTypeOf<Service>();
  });

  it('every kind of the registry has its type in KindTypes (this list is typed by it), and the kind defs are built from the same shapes', () => {
    const names: Array<keyof KindTypes> = ['Namespace', 'Node', 'Pod', 'Service', 'Lease', 'Endpoints', 'ReplicaSet', 'Deployment', 'ResourceQuota', 'ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Event', 'Job', 'DaemonSet', 'StatefulSet'];
    expect(kinds.map((k) => k.kind).sort()).toEqual([...names].sort());
    expect(pod.body).toBe(PodShape.body);
    expect(pod.status).toBe(PodShape.status);
  });
});
