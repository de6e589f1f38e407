/** Kubernetes' rule covering, case by case: which owner rules cover which granted rules. */
import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../server/api/auth/rbac-rules.js';
import { grantCount, uncoveredRules } from '../../server/api/auth/rule-covers.js';

const r = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): PolicyRule => ({ apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) });
const covers = (owner: PolicyRule[], granted: PolicyRule[]) => uncoveredRules(owner, granted, 10_000);

describe('rule covering', () => {
  it.each([
    ['stars cover everything', [r(['*'], ['*'], ['*'])], [r(['apps', ''], ['deployments', 'pods/status'], ['get', 'escalate'], ['x'])], true],
    ['a verb list covers its subset', [r([''], ['pods'], ['get', 'list', 'watch'])], [r([''], ['pods'], ['get', 'watch'])], true],
    ['a missing verb is not covered', [r([''], ['pods'], ['get'])], [r([''], ['pods'], ['get', 'delete'])], false],
    ['a verb * granted needs a verb * held', [r([''], ['pods'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'])], [r([''], ['pods'], ['*'])], false],
    ['a resource does not cover its subresource', [r([''], ['pods'], ['update'])], [r([''], ['pods/status'], ['update'])], false],
    ['*/status covers any status subresource', [r(['apps'], ['*/status'], ['update'])], [r(['apps'], ['deployments/status', 'replicasets/status'], ['update'])], true],
    ['*/status does not cover the resource', [r(['apps'], ['*/status'], ['update'])], [r(['apps'], ['deployments'], ['update'])], false],
    ['another API group is not covered', [r(['apps'], ['*'], ['*'])], [r([''], ['pods'], ['get'])], false],
    ['a rule split across two owner rules is covered grant by grant', [r([''], ['pods'], ['get']), r([''], ['pods'], ['list'])], [r([''], ['pods'], ['get', 'list'])], true],
    ['names held cover the same names', [r([''], ['pods'], ['get'], ['a', 'b'])], [r([''], ['pods'], ['get'], ['a'])], true],
    ['names held do not cover all names', [r([''], ['pods'], ['get'], ['a'])], [r([''], ['pods'], ['get'])], false],
    ['names held do not cover other names', [r([''], ['pods'], ['get'], ['a'])], [r([''], ['pods'], ['get'], ['b'])], false],
    ['no names held covers any name', [r([''], ['pods'], ['get'])], [r([''], ['pods'], ['get'], ['a'])], true],
    ['a URL wildcard covers paths under it', [{ nonResourceURLs: ['/healthz*'], verbs: ['get'] }], [{ nonResourceURLs: ['/healthz/ready'], verbs: ['get'] }], true],
    ['URLs are not covered by resource rules', [r(['*'], ['*'], ['*'])], [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }], false],
    ['granting nothing is covered by nothing', [], [r([''], ['pods'], [])], true],
  ] as Array<[string, PolicyRule[], PolicyRule[], boolean]>)('%s', (_, owner, granted, covered) => {
    const missing = covers(owner, granted);
    expect(missing !== 'too-many' && missing.length === 0).toBe(covered);
  });

  it('names the single grants not covered', () => {
    expect(covers([r([''], ['pods'], ['get'])], [r([''], ['pods', 'services'], ['get', 'delete'])])).toEqual([
      r([''], ['pods'], ['delete']),
      r([''], ['services'], ['get']),
      r([''], ['services'], ['delete']),
    ]);
  });

  it('counts the breakdown before doing it, and refuses past the bound', () => {
    const many = Array.from({ length: 100 }, (_, i) => `x${i}`);
    const huge = r(many, many, many, many);
    expect(grantCount([huge])).toBe(100 ** 4);
    expect(uncoveredRules([r(['*'], ['*'], ['*'])], [huge], 10_000)).toBe('too-many');
    // Duplicates count once.
    expect(grantCount([r(['', ''], ['pods', 'pods'], ['get'])])).toBe(1);
  });
});
