/**
 * What a GraphQL operation does, as metrics and logs name it: the verb and kind of its first root
 * field, read from the registry of kinds (`createPod` → create/Pod, `pods` → list/Pod, `pod` →
 * get/Pod, `updatePodStatus` → updateStatus/Pod, `apply` → apply, `watch(kind: Pod)` → watch/Pod);
 * any other field of the schema is its own verb, anything else `unknown` (labels stay bounded).
 */
import {
  getOperationAST,
  Kind as Ast,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationTypeNode,
  type SelectionSetNode,
} from 'graphql';
import type { KindDef } from '../../resources/kind.js';

export interface OperationLabels {
  operation: OperationTypeNode | 'unknown';
  /** The root field's name (not its alias). */
  field: string;
  verb: string;
  kind: string;
  /** An argument of the root field, with variables substituted (undefined when absent). */
  argument(name: string): unknown;
}

const ROOT_VERBS: Array<[prefix: string, suffix: string, verb: string]> = [
  ['update', 'Status', 'updateStatus'],
  ['create', '', 'create'],
  ['update', '', 'update'],
  ['patch', '', 'patch'],
  ['delete', '', 'delete'],
  ['bind', '', 'bind'],
  ['scale', '', 'scale'],
];

export function createOperationLabeler(kinds: readonly KindDef[]) {
  const byField = new Map<string, { verb: string; kind: string }>();
  for (const k of kinds) {
    byField.set(k.getField, { verb: 'get', kind: k.kind });
    byField.set(k.listField, { verb: 'list', kind: k.kind });
    for (const [prefix, suffix, verb] of ROOT_VERBS) if (!byField.has(`${prefix}${k.kind}${suffix}`)) byField.set(`${prefix}${k.kind}${suffix}`, { verb, kind: k.kind });
  }
  const kindNames = new Set(kinds.map((k) => k.kind));

  /** The labels of an operation, from its document. */
  function labels(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Record<string, unknown> | null): OperationLabels {
    const op = getOperationAST(document, operationName);
    const field = op && firstField(document, op.selectionSet);
    if (!op || !field) return { operation: op?.operation ?? 'unknown', field: '', verb: 'unknown', kind: '', argument: () => undefined };
    const name = field.name.value;
    const argument = (arg: string) => {
      const node = field.arguments?.find((a) => a.name.value === arg);
      return node ? valueFromASTUntyped(node.value, variables ?? undefined) : undefined;
    };
    return { operation: op.operation, field: name, ...fieldLabels(schema, op.operation, name, argument), argument };
  }

  /** The verb and kind of one root field, given a way to read its arguments. */
  function fieldLabels(schema: GraphQLSchema, operation: OperationTypeNode, name: string, argument: (name: string) => unknown) {
    const known = byField.get(name);
    if (known) return known;
    if (name.startsWith('__')) return { verb: 'introspection', kind: '' };
    const root = operation === 'mutation' ? schema.getMutationType() : operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
    if (!root?.getFields()[name]) return { verb: 'unknown', kind: '' };
    const kindArg = argument('kind');
    return { verb: name, kind: typeof kindArg === 'string' && kindNames.has(kindArg) ? kindArg : '' };
  }

  return { labels, fieldLabels };
}

export type OperationLabeler = ReturnType<typeof createOperationLabeler>;

/** The first root field of a selection set, through fragments, skipping `__typename`. */
function firstField(document: DocumentNode, set: SelectionSetNode): FieldNode | undefined {
  for (const selection of set.selections) {
    if (selection.kind === Ast.FIELD) {
      if (selection.name.value !== '__typename') return selection;
    } else if (selection.kind === Ast.INLINE_FRAGMENT) {
      const found = firstField(document, selection.selectionSet);
      if (found) return found;
    } else {
      const fragment = document.definitions.find((d) => d.kind === Ast.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      const found = fragment?.kind === Ast.FRAGMENT_DEFINITION ? firstField(document, fragment.selectionSet) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}
