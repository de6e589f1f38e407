/**
 * Kubernetes' rule covering (component-helpers auth/rbac/validation Covers): the granted rules are
 * broken down into single (API group, resource, verb, resource name) or (URL, verb) grants, and
 * each must be covered by one of the owner's rules on its own.
 */
import type { PolicyRule } from './rbac-rules.js';

const distinct = (list: readonly string[] | undefined) => [...new Set(list ?? [])];
const has = (list: readonly string[] | undefined, value: string) => (list ?? []).includes(value);

/** `*` or an exact match, or `*\/sub` for a subresource. */
function resourceCovers(owner: readonly string[] | undefined, resource: string): boolean {
  if (has(owner, '*') || has(owner, resource)) return true;
  const slash = resource.indexOf('/');
  return slash >= 0 && has(owner, `*/${resource.slice(slash + 1)}`);
}

function urlCovers(owner: readonly string[] | undefined, url: string): boolean {
  return (owner ?? []).some((o) => o === url || (o.endsWith('*') && url.startsWith(o.replace(/\*+$/, ''))));
}

interface Grant {
  verb: string;
  group?: string;
  resource?: string;
  name?: string;
  url?: string;
}

function covers(owner: PolicyRule, g: Grant): boolean {
  if (!(has(owner.verbs, '*') || has(owner.verbs, g.verb))) return false;
  if (g.url !== undefined) return urlCovers(owner.nonResourceURLs, g.url);
  if (!(has(owner.apiGroups, '*') || has(owner.apiGroups, g.group!))) return false;
  if (!resourceCovers(owner.resources, g.resource!)) return false;
  if (!owner.resourceNames?.length) return true;
  return g.name !== undefined && owner.resourceNames.includes(g.name);
}

/** The single grants of `rule` (as Kubernetes' breakdownRule), most specific first. */
function* breakdown(rule: PolicyRule): Generator<Grant> {
  const verbs = distinct(rule.verbs);
  const names = distinct(rule.resourceNames);
  for (const group of distinct(rule.apiGroups))
    for (const resource of distinct(rule.resources))
      for (const verb of verbs) {
        if (names.length === 0) yield { verb, group, resource };
        else for (const name of names) yield { verb, group, resource, name };
      }
  for (const url of distinct(rule.nonResourceURLs)) for (const verb of verbs) yield { verb, url };
}

/** How many single grants `rules` break down into. */
export function grantCount(rules: readonly PolicyRule[]): number {
  let n = 0;
  for (const r of rules) {
    const verbs = distinct(r.verbs).length;
    n += distinct(r.apiGroups).length * distinct(r.resources).length * verbs * Math.max(1, distinct(r.resourceNames).length);
    n += distinct(r.nonResourceURLs).length * verbs;
  }
  return n;
}

/**
 * The single grants of `granted` that no rule of `owner` covers (empty: covered), or 'too-many'
 * when `granted` breaks down into more than `max` grants (the work is bounded before it starts).
 */
export function uncoveredRules(owner: readonly PolicyRule[], granted: readonly PolicyRule[], max: number): PolicyRule[] | 'too-many' {
  if (grantCount(granted) > max) return 'too-many';
  const missing: PolicyRule[] = [];
  for (const rule of granted)
    for (const g of breakdown(rule)) {
      if (owner.some((o) => covers(o, g))) continue;
      missing.push(
        g.url !== undefined
          ? { nonResourceURLs: [g.url], verbs: [g.verb] }
          : { apiGroups: [g.group!], resources: [g.resource!], verbs: [g.verb], ...(g.name !== undefined ? { resourceNames: [g.name] } : {}) },
      );
    }
  return missing;
}
