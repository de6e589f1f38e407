/** What a watch selects: a kind, maybe a namespace, label and field selectors; and the trigger it is routed by. */
import { badInput } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import { kindByName } from '../../resources/registry.js';
import { matchesFields, parseFieldSelector, type FieldRequirement } from '../../resources/selectors/field-selector.js';
import { matchesLabels, parseLabelSelector, type LabelRequirement } from '../../resources/selectors/label-selector.js';
import { fieldValue, selectableFields } from '../../resources/selectors/field-values.js';

export interface WatchFilter {
  /** Identifies equal filters, so watchers with the same filter share one evaluation per event. */
  key: string;
  kind: KindDef;
  namespace?: string;
  /** Row-level authorization: only these namespaces (undefined: any). */
  namespaces?: readonly string[];
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  /** `spec.nodeName=X` (X non-empty): the watch is routed by node, as the kubelet's is. */
  nodeName?: string;
  matches(object: KObject): boolean;
}

export interface WatchArgs {
  kind: string;
  namespace?: string | null;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  /** Row-level authorization: only objects in these namespaces (undefined: any). */
  namespaces?: readonly string[];
}

export function watchFilter(args: WatchArgs): WatchFilter {
  const kind = kindByName(args.kind);
  if (!kind) throw badInput('kind', `unknown kind ${JSON.stringify(args.kind)}`);
  const namespace = kind.namespaced && args.namespace ? args.namespace : undefined;
  const labels = parseLabelSelector(args.labelSelector);
  const fields = parseFieldSelector(args.fieldSelector ?? '', selectableFields(kind));
  const allowed = args.namespaces ? new Set(args.namespaces) : undefined;
  const node = fields.find((f) => f.field === 'spec.nodeName' && f.operator === '=' && f.value !== '');
  return {
    key: JSON.stringify([kind.kind, namespace ?? null, args.labelSelector ?? '', args.fieldSelector ?? '', args.namespaces ?? null]),
    kind,
    namespace,
    namespaces: args.namespaces,
    labels,
    fields,
    nodeName: node?.value,
    matches: (o) =>
      (namespace === undefined || o.metadata.namespace === namespace) &&
      (allowed === undefined || allowed.has(o.metadata.namespace ?? '')) &&
      matchesLabels(labels, o.metadata.labels) &&
      matchesFields(fields, (f) => fieldValue(kind.kind, o, f)),
  };
}
