/**
 * NodeAffinity: the node's labels must match the pod's `nodeSelector` and one of the terms of its
 * required node affinity (nodeSelectorTerms are ORed; a term's expressions and fields are ANDed).
 */
import type { NodeInfo } from '../node-info.js';
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../pod-info.js';
import type { Filter } from './filter.js';

const REASON = ["node(s) didn't match Pod's node affinity/selector"];

/** Go's strconv.ParseInt(s, 10, 64), as the Gt and Lt operators use it; undefined when not an integer. */
function int64(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return BigInt.asIntN(64, n) === n ? n : undefined;
}

/** One requirement against a value that may be absent (labels.Requirement.Matches). */
export function requirementMatches(r: NodeSelectorRequirement, has: boolean, value: string | undefined): boolean {
  const values = Array.isArray(r.values) ? r.values : [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(value!);
    case 'NotIn':
      return !has || !values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false;
      const mine = int64(value);
      const theirs = int64(values[0]);
      if (mine === undefined || theirs === undefined) return false;
      return r.operator === 'Gt' ? mine > theirs : mine < theirs;
    }
    default:
      return false;
  }
}

/** A term matches when it has at least one requirement and all hold; matchFields knows `metadata.name`. */
export function termMatches(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const expressions = Array.isArray(term?.matchExpressions) ? term.matchExpressions : [];
  const fields = Array.isArray(term?.matchFields) ? term.matchFields : [];
  if (expressions.length === 0 && fields.length === 0) return false;
  for (const r of expressions) if (!requirementMatches(r, Object.hasOwn(node.labels, r.key), node.labels[r.key])) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn')) return false;
    if (!requirementMatches(r, true, node.name)) return false;
  }
  return true;
}

export const nodeAffinity: Filter = {
  name: 'NodeAffinity',
  filter(pod, node) {
    for (const [k, v] of pod.nodeSelector) if (node.labels[k] !== v) return REASON;
    if (pod.requiredTerms && !pod.requiredTerms.some((t) => termMatches(t, node))) return REASON;
    return undefined;
  },
};
