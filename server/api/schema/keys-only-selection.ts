/**
 * Whether a list field's selection reads nothing of its objects but their keys: of the connection,
 * any of `revision`, `pageInfo` and the edges' `cursor`; of each `node`, only `metadata { name
 * namespace }` (and `__typename` anywhere). Such a list is asked of the store with `keysOnly`, which
 * reads no object's body (a page of 500 pod names cost 6.8 ms of the server's CPU, most of it parsing
 * bodies the answer did not show). Fragments are followed; any other field under `node` (a spec, a
 * status, a relation, the manifest) means whole objects, as does anything this does not know.
 */
import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** A field's allowed subfields; `true`: the field with whatever it selects. */
interface Allowed {
  [field: string]: Allowed | true;
}

const META: Allowed = { __typename: true, name: true, namespace: true };
const NODE: Allowed = { __typename: true, metadata: META };
const EDGE: Allowed = { __typename: true, cursor: true, node: NODE };
const CONNECTION: Allowed = { __typename: true, revision: true, pageInfo: true, edges: EDGE };

/** Selections and fragments nest at most this deep here (validation already refuses cycles). */
const MAX_DEPTH = 64;

/** Fragments already checked (or being checked) against each rule: a fragment spread many times, or a chain of fragments each spreading the next twice, is walked once per rule, not once per path. */
type Checked = Map<FragmentDefinitionNode, Set<Allowed>>;

function within(set: SelectionSetNode, allowed: Allowed, fragments: Record<string, FragmentDefinitionNode>, depth: number, checked: Checked): boolean {
  if (depth > MAX_DEPTH) return false;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const rule = Object.hasOwn(allowed, selection.name.value) ? allowed[selection.name.value] : undefined;
      if (rule === undefined) return false;
      if (rule !== true && (!selection.selectionSet || !within(selection.selectionSet, rule, fragments, depth + 1, checked))) return false;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!within(selection.selectionSet, allowed, fragments, depth + 1, checked)) return false;
    } else {
      const fragment = Object.hasOwn(fragments, selection.name.value) ? fragments[selection.name.value] : undefined;
      if (!fragment) return false;
      // Any check that failed has ended the walk: one already made passed.
      const rules = checked.get(fragment) ?? checked.set(fragment, new Set()).get(fragment)!;
      if (rules.has(allowed)) continue;
      rules.add(allowed);
      if (!within(fragment.selectionSet, allowed, fragments, depth + 1, checked)) return false;
    }
  }
  return true;
}

/** True when every occurrence of the list field selects keys only (see above). */
export function selectsKeysOnly(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): boolean {
  const checked: Checked = new Map();
  return info.fieldNodes.every((field) => field.selectionSet !== undefined && within(field.selectionSet, CONNECTION, info.fragments, 0, checked));
}
