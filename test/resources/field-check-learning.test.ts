/**
 * The field check learns, per kind, what the schema's validator reads at each position, and skips
 * the recording proxy where it knows. Property: over any sequence of writes (well-formed, misspelt,
 * mistyped, with nulls), the answer with what earlier writes taught equals the answer of a check
 * that knows nothing yet.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAgainstSchema } from '../../server/resources/openapi/field-check.js';
import { schemaFor } from '../../server/resources/openapi/models.js';

const value = fc.oneof(
  fc.constant(null),
  fc.constant('x'),
  fc.constant(3),
  fc.constant(2 ** 40),
  fc.constant(true),
  fc.constant([]),
  fc.constant({}),
  fc.constant([{}]),
  fc.constant({ name: 'n' }),
);
const containerKey = fc.constantFrom('name', 'image', 'imagePullPolicy', 'imagePullPolice', 'ports', 'env', 'resources', 'livenessProbe', 'contianer');
const specKey = fc.constantFrom('containers', 'affinity', 'tolerations', 'hostAliases', 'volumes', 'nodeSelector', 'replica', 'securityContext', 'overhead');
const container = fc.dictionary(containerKey, fc.oneof(value, fc.constant([{ containerPort: 80, name: 'http' }]), fc.constant({ requests: { cpu: '1' } })), { maxKeys: 4 });
const spec = fc.dictionary(specKey, fc.oneof(value, fc.array(container, { maxLength: 2 }), fc.constant({ nodeAffinity: {} }), fc.constant({ nodeAffinitty: {} })), { maxKeys: 4 });
const pod = spec.map((s) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: s }));

const summary = (r: ReturnType<typeof checkAgainstSchema>) => ({ errors: r.errors.map((e) => e.path).sort(), unknown: r.unknown.map((u) => `${u.path}>${u.suggestion ?? ''}`).sort() });

describe('learning what the validator reads', () => {
  it('changes no answer', () => {
    fc.assert(
      fc.property(fc.array(pod, { minLength: 1, maxLength: 12 }), (pods) => {
        // A copy of the kind's schema is a schema nothing has been learnt about yet.
        const learning = { ...schemaFor('v1', 'Pod')! };
        for (const p of pods) {
          const fresh = { ...schemaFor('v1', 'Pod')! };
          expect(summary(checkAgainstSchema(learning, structuredClone(p)))).toEqual(summary(checkAgainstSchema(fresh, structuredClone(p))));
        }
      }),
      { numRuns: 300, seed: 1616 },
    );
  });
});
