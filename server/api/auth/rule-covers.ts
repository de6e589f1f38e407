/**
 * Kubernetes' rule covering (component-helpers auth/rbac/validation Covers): the granted rules are
 * broken down into single (API group, resource, verb, resource name) or (URL, verb) grants, and
 * each must be covered by one of the owner's rules on its own.
 */
import type { PolicyRule } from './rbac-rules.js';

const distinct = (list: readonly string[] | undefined) => [...new Set(list ?? [])];

/** An owner rule with its lists as sets, so each grant is checked in constant time per rule. */
interface OwnerRule {
  verbs: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  resources: ReadonlySet<string>;
  names: ReadonlySet<string>;
  urls: readonly string[];
}

const toOwner = (r: PolicyRule): OwnerRule => ({
  verbs: new Set(r.verbs ?? []),
  groups: new Set(r.apiGroups ?? []),
  resources: new Set(r.resources ?? []),
  names: new Set(r.resourceNames ?? []),
  urls: r.nonResourceURLs ?? [],
});

/** `*` or an exact match, or `*\/sub` for a subresource. */
function resourceCovers(owner: ReadonlySet<string>, resource: string): boolean {
  if (owner.has('*') || owner.has(resource)) return true;
  const slash = resource.indexOf('/');
  return slash >= 0 && owner.has(`*/${resource.slice(slash + 1)}`);
}

function urlCovers(owner: readonly string[], url: string): boolean {
  return owner.some((o) => o === url || (o.endsWith('*') && url.startsWith(o.replace(/\*+$/, ''))));
}

interface Grant {
  verb: string;
  group?: string;
  resource?: string;
  name?: string;
  url?: string;
}

function covers(owner: OwnerRule, g: Grant): boolean {
  if (!(owner.verbs.has('*') || owner.verbs.has(g.verb))) return false;
  if (g.url !== undefined) return urlCovers(owner.urls, g.url);
  if (!(owner.groups.has('*') || owner.groups.has(g.group!))) return false;
  if (!resourceCovers(owner.resources, g.resource!)) return false;
  if (owner.names.size === 0) return true;
  return g.name !== undefined && owner.names.has(g.name);
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

/** Uncovered grants reported at most (enough to say what is missing; the search stops there). */
const MAX_REPORTED = 50;

/**
 * The single grants of `granted` that no rule of `owner` covers (empty: covered; at most 50 are
 * named), or 'too-many' when `granted` breaks down into more than `max` grants (the work is
 * bounded before it starts).
 */
export function uncoveredRules(owner: readonly PolicyRule[], granted: readonly PolicyRule[], max: number): PolicyRule[] | 'too-many' {
  if (grantCount(granted) > max) return 'too-many';
  // Owner rules by API group ('*' under its own key), so a grant is compared only with the rules of its group.
  const byGroup = new Map<string, OwnerRule[]>();
  const forUrls: OwnerRule[] = [];
  for (const o of owner.map(toOwner)) {
    for (const group of o.groups) byGroup.set(group, [...(byGroup.get(group) ?? []), o]);
    if (o.urls.length) forUrls.push(o);
  }
  const starred = byGroup.get('*') ?? [];
  const coveredBy = (rules: readonly OwnerRule[] | undefined, g: Grant) => rules !== undefined && rules.some((o) => covers(o, g));
  const missing: PolicyRule[] = [];
  for (const rule of granted)
    for (const g of breakdown(rule)) {
      if (g.url !== undefined ? coveredBy(forUrls, g) : coveredBy(byGroup.get(g.group!), g) || coveredBy(starred, g)) continue;
      missing.push(
        g.url !== undefined
          ? { nonResourceURLs: [g.url], verbs: [g.verb] }
          : { apiGroups: [g.group!], resources: [g.resource!], verbs: [g.verb], ...(g.name !== undefined ? { resourceNames: [g.name] } : {}) },
      );
      if (missing.length >= MAX_REPORTED) return missing;
    }
  return missing;
}
