/**
 * Properties of strategic merge patch on generated Deployments: the two-way patch from one object
 * to another turns the first into the second (order of merging lists included, by
 * $setElementOrder); the three-way patch against an unchanged live object does the same; applying
 * the same manifest twice changes nothing the second time; a patch changes nothing it does not name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patchSchemaOf } from '../../../server/resources/kinds/patch-strategies.js';
import type { JsonMap } from '../../../server/resources/patch/json-value.js';
import { createThreeWayMergePatch, createTwoWayMergePatch } from '../../../server/resources/patch/strategic-diff.js';
import { strategicMergePatch } from '../../../server/resources/patch/strategic-merge.js';

const schema = patchSchemaOf('Deployment');
const word = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'web', 'log', 'x-y');
const uniqueBy = <T>(arb: fc.Arbitrary<T>, key: (t: T) => unknown, maxLength = 4) => fc.uniqueArray(arb, { selector: key, maxLength });

const env = uniqueBy(fc.record({ name: word, value: fc.string({ maxLength: 3 }) }), (e) => e.name);
const ports = uniqueBy(
  fc.record({ containerPort: fc.integer({ min: 1, max: 6 }), protocol: fc.constantFrom('TCP', 'UDP'), name: fc.option(word, { nil: undefined }) }, { requiredKeys: ['containerPort', 'protocol'] }),
  (p) => `${p.containerPort}/${p.protocol}`,
);
const mounts = uniqueBy(fc.record({ name: word, mountPath: fc.constantFrom('/a', '/b', '/c', '/d') }), (m) => m.mountPath);
const container = fc.record(
  { name: word, image: fc.constantFrom('nginx:1', 'nginx:2', 'busybox'), env, ports, volumeMounts: mounts, args: fc.array(word, { maxLength: 3 }) },
  { requiredKeys: ['name', 'image'] },
);
const volume = fc.record({ name: word, source: fc.constantFrom('emptyDir', 'configMap', 'secret') }).map(({ name, source }) => ({ name, [source]: source === 'emptyDir' ? {} : { name: `${name}-src` } }));
const deployment = fc.record(
  {
    metadata: fc.record(
      {
        name: fc.constant('d'),
        labels: fc.dictionary(word, word, { maxKeys: 3 }),
        // Sorted: as in Kubernetes, a two-way patch does not carry a new order of a merging list of
        // scalars alone (CreateTwoWayMergePatch compares the lists after sorting the original).
        finalizers: fc.uniqueArray(word, { maxLength: 3 }).map((f) => f.sort()),
        ownerReferences: uniqueBy(fc.record({ uid: word, kind: fc.constantFrom('A', 'B'), name: word }), (o) => o.uid),
      },
      { requiredKeys: ['name'] },
    ),
    spec: fc.record(
      {
        replicas: fc.integer({ min: 0, max: 3 }),
        strategy: fc.oneof(fc.constant({ type: 'Recreate' }), fc.record({ type: fc.constant('RollingUpdate'), rollingUpdate: fc.record({ maxSurge: fc.integer({ min: 0, max: 2 }) }) })),
        template: fc.record({
          metadata: fc.record({ labels: fc.dictionary(word, word, { maxKeys: 2 }) }),
          spec: fc.record(
            {
              containers: uniqueBy(container, (c) => c.name, 3),
              initContainers: uniqueBy(container, (c) => c.name, 2),
              volumes: uniqueBy(volume, (v) => v.name, 3),
              tolerations: fc.array(fc.record({ key: word, operator: fc.constant('Exists') }), { maxLength: 2 }),
              imagePullSecrets: uniqueBy(fc.record({ name: word }), (s) => s.name),
            },
            { requiredKeys: ['containers'] },
          ),
        }),
      },
      { requiredKeys: ['template'] },
    ),
  },
  { requiredKeys: ['metadata', 'spec'] },
) as fc.Arbitrary<unknown> as fc.Arbitrary<JsonMap>;

describe('strategic merge patch properties (Deployments)', () => {
  it('the two-way patch from a to b turns a into b', () => {
    fc.assert(
      fc.property(deployment, deployment, (a, b) => {
        const patch = createTwoWayMergePatch(a, b, schema);
        expect(strategicMergePatch(a, patch, schema)).toEqual(b);
      }),
      { numRuns: 400 },
    );
  });

  it('the three-way patch with a live object equal to last-applied turns it into the manifest; re-applying changes nothing', () => {
    fc.assert(
      fc.property(deployment, deployment, (a, b) => {
        const once = strategicMergePatch(a, createThreeWayMergePatch(a, b, a, schema), schema);
        expect(once).toEqual(b);
        expect(strategicMergePatch(once, createThreeWayMergePatch(b, b, once, schema), schema)).toEqual(once);
      }),
      { numRuns: 400 },
    );
  });

  it("another writer's additions to merging lists survive a re-apply of the same manifest", () => {
    fc.assert(
      fc.property(deployment, fc.record({ name: fc.constant('zz-added'), value: fc.string({ maxLength: 3 }) }), (manifest, extra) => {
        fc.pre((manifest as any).spec.template.spec.containers.length > 0);
        const live = structuredClone(manifest) as any;
        live.spec.template.spec.containers[0].env = [extra, ...(live.spec.template.spec.containers[0].env ?? [])];
        const patch = createThreeWayMergePatch(manifest, manifest, live, schema);
        expect(strategicMergePatch(live, patch, schema)).toEqual(live);
      }),
      { numRuns: 300 },
    );
  });
});
