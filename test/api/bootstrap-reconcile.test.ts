/**
 * The default RBAC policy is reconciled at every start, as Kubernetes reconciles its bootstrap
 * roles: what a role or binding of the policy lacks is added back, what an operator added stays,
 * autoupdate "false" makes it the operator's, and a restart with nothing to add writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const head = async () => (await api.ok('{ revision }')).revision as number;
const role = async (name: string) => (await api.ok(`query($n: String!) { clusterRole(name: $n) { manifest } }`, { n: name })).clusterRole.manifest;
const binding = async (name: string) => (await api.ok(`query($n: String!) { clusterRoleBinding(name: $n) { manifest } }`, { n: name })).clusterRoleBinding.manifest;
const update = (kind: 'ClusterRole' | 'ClusterRoleBinding', manifest: any) => {
  const { status: _s, ...input } = manifest;
  return api.ok(`mutation($i: ${kind}Input!) { update${kind}(input: $i) { metadata { resourceVersion } } }`, { i: input });
};
const grants = (rules: any[], resource: string, verb: string) => rules.some((r) => r.resources.includes(resource) && r.verbs.includes(verb));

describe('reconciling the default RBAC policy at start', () => {
  it('a restart with nothing to reconcile writes nothing', async () => {
    const before = await head();
    await api.restart();
    expect(await head()).toBe(before);
    expect((await role('view')).metadata.annotations).toMatchObject({ 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
  });

  it('adds back the rules a policy role lacks, keeps an operator\'s extra rule, and leaves an autoupdate "false" role alone', async () => {
    const scheduler = await role('system:kube-scheduler');
    expect(grants(scheduler.rules, 'pods', 'bind')).toBe(true);
    const extra = { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] };
    await update('ClusterRole', { ...scheduler, rules: [...scheduler.rules.filter((r: any) => !r.verbs.includes('bind')), extra] });
    expect(grants((await role('system:kube-scheduler')).rules, 'pods', 'bind')).toBe(false);

    const edit = await role('edit');
    const trimmed = edit.rules.filter((r: any) => !r.resources.includes('secrets'));
    await update('ClusterRole', { ...edit, metadata: { ...edit.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } }, rules: trimmed });

    const before = await head();
    await api.restart();
    const after = await role('system:kube-scheduler');
    expect(grants(after.rules, 'pods', 'bind')).toBe(true);
    expect(after.rules).toContainEqual(extra);
    expect((await role('edit')).rules).toEqual(trimmed);
    // One update, by the server.
    const written = api.db().prepare('SELECT actor, verb, kind, name FROM events WHERE revision > ?').all(before);
    expect(written).toEqual([{ actor: 'system:apiserver', verb: 'update', kind: 'ClusterRole', name: 'system:kube-scheduler' }]);
  });

  it('adds back a subject a policy binding lacks, keeping the operator\'s', async () => {
    const b = await binding('system:kube-scheduler');
    const someone = { kind: 'User', name: 'ops', apiGroup: 'rbac.authorization.k8s.io' };
    await update('ClusterRoleBinding', { ...b, subjects: [someone] });
    await api.restart();
    const after = await binding('system:kube-scheduler');
    expect(after.subjects).toContainEqual(someone);
    expect(after.subjects).toContainEqual({ kind: 'ServiceAccount', name: 'kube-scheduler', namespace: 'kube-system' });
  });
});
