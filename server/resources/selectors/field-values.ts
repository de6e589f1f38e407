/**
 * The values field selectors read, one definition for lists (evaluated inside SQLite through a
 * registered function) and watches (evaluated in memory): Kubernetes' selectable fields per kind
 * (PodToSelectableFields, NodeToSelectableFields, ...), as strings.
 */
import type { KObject, KindDef } from '../kind.js';
import { isKind } from '../objects.js';

/** The value at a dotted path: '' when absent or null, booleans as 'true'/'false', numbers as their decimal text. */
function atPath(object: KObject, field: string): string {
  let value: unknown = object;
  for (const part of field.split('.')) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? '' : String(value);
}

/** Kind-specific values where Kubernetes does not read the path as written (a default, another field). */
const DERIVED: Record<string, Record<string, (o: KObject) => string>> = {
  Pod: {
    // Kubernetes reads podIPs[0], the list the kubelet keeps; status.podIP is its copy.
    'status.podIP': (o) => {
      const ips = isKind(o, 'Pod') ? o.status?.podIPs : undefined;
      const first = Array.isArray(ips) ? ips[0]?.ip : undefined;
      return typeof first === 'string' ? first : '';
    },
    // A Go bool: false when absent.
    'spec.hostNetwork': (o) => String(atPath(o, 'spec.hostNetwork') === 'true'),
  },
  Node: {
    'spec.unschedulable': (o) => String(atPath(o, 'spec.unschedulable') === 'true'),
  },
};

/** The value of field `field` of `object` as its kind's field selectors read it. */
export function fieldValue(kind: string, object: KObject, field: string): string {
  if (field === 'metadata.namespace') return object.metadata.namespace ?? '';
  if (field === 'metadata.name') return object.metadata.name ?? '';
  const derived = DERIVED[kind]?.[field];
  return derived ? derived(object) : atPath(object, field);
}

/** The fields a kind's field selectors may name: metadata.name, metadata.namespace and the kind's own. */
export function selectableFields(kind: KindDef): string[] {
  return ['metadata.name', 'metadata.namespace', ...kind.fieldSelectors];
}
