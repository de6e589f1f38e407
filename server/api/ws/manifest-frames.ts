/**
 * The result of the watch selection every informer sends, built without executing it:
 * `watch { type revision object { ... on <Kind> { manifest } } }` (server/client/object-client.ts).
 * Executing it costs more than the event's JSON (a context, field collection, the resolvers of
 * four fields and an abstract type), and the plane's watches carry every write: each node's pod
 * watch, the controllers' and the scheduler's. The result is the one execution gives, in the same
 * key order, so its JSON is the same bytes.
 *
 * Only that shape is taken, with any response keys (aliases) and fields in any order: anything
 * else (another field, __typename, a directive, a fragment spread, a second fragment, arguments on
 * the event's fields) is executed as any selection is.
 */
import { Kind, type ExecutionResult, type FieldNode, type OperationDefinitionNode, type SelectionNode } from 'graphql';
import type { WatchPayload } from '../watch/transition.js';

type Render = (payload: WatchPayload) => ExecutionResult;

/** A field without arguments or directives, by its name, with its response key. */
const plainField = (s: SelectionNode): s is FieldNode => s.kind === Kind.FIELD && !s.arguments?.length && !s.directives?.length;
const keyOf = (f: FieldNode) => f.alias?.value ?? f.name.value;

/**
 * The renderer of `operation`'s watch events, or undefined when its selection is not the informers'
 * shape. `isObjectType` says whether a fragment's type condition names an object type (a kind), not
 * the Resource interface.
 */
export function manifestRenderer(operation: OperationDefinitionNode, isObjectType: (name: string) => boolean): Render | undefined {
  const roots = operation.selectionSet.selections;
  if (roots.length !== 1 || roots[0].kind !== Kind.FIELD || roots[0].directives?.length || roots[0].name.value !== 'watch') return undefined;
  const root = roots[0];
  const rootKey = keyOf(root);
  const fields = root.selectionSet?.selections ?? [];
  // Each of the event's fields once, in the order of the selection.
  const order: Array<{ key: string; field: 'type' | 'revision' | 'object' }> = [];
  let objectKind: string | undefined;
  let manifestKey: string | undefined;
  for (const s of fields) {
    if (!plainField(s)) return undefined;
    const name = s.name.value;
    if ((name !== 'type' && name !== 'revision' && name !== 'object') || order.some((o) => o.field === name || o.key === keyOf(s))) return undefined;
    if (name === 'object') {
      const inner = s.selectionSet?.selections ?? [];
      if (inner.length !== 1 || inner[0].kind !== Kind.INLINE_FRAGMENT || inner[0].directives?.length || !inner[0].typeCondition || !isObjectType(inner[0].typeCondition.name.value)) return undefined;
      const fragment = inner[0];
      const picks = fragment.selectionSet.selections;
      if (picks.length !== 1 || !plainField(picks[0]) || picks[0].name.value !== 'manifest' || picks[0].selectionSet) return undefined;
      objectKind = fragment.typeCondition!.name.value;
      manifestKey = keyOf(picks[0]);
    } else if (s.selectionSet) return undefined;
    order.push({ key: keyOf(s), field: name });
  }
  if (order.length === 0) return undefined;
  // Response keys are the client's aliases, `__proto__` among them: results are built, as
  // execution builds them, on objects without a prototype, where any key is an own property.
  const record = () => Object.create(null) as Record<string, unknown>;
  return (payload) => {
    const event = record();
    for (const { key, field } of order) {
      if (field === 'object') {
        const object = payload.object;
        if (object === null) event[key] = null;
        else {
          // An object of another kind than the fragment's selects nothing of it (never so for a watch of one kind).
          const selected = record();
          if (object.kind === objectKind) selected[manifestKey!] = object;
          event[key] = selected;
        }
      } else event[key] = payload[field];
    }
    const data = record();
    data[rootKey] = event;
    return { data };
  };
}
