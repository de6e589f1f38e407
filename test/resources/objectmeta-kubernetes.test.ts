/**
 * apimachinery's ObjectMeta tables (k8s.io/apimachinery/pkg/api/validation/objectmeta_test.go):
 * TestValidateObjectMetaOwnerReferences and TestValidateFinalizersPreventConflictingFinalizers, run
 * against Kubeql's metadata validation; TestValidateFinalizersUpdate through the API (a deleting
 * object's finalizers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindByName } from '../../server/resources/registry.js';
import { validateMetadata } from '../../server/resources/validation/metadata.js';
import { startTestApi, type TestApi } from '../support/api.js';

const pod = kindByName('Pod')!;
const ref = (kind: string, uid: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'customresourceVersion', kind, name: 'name', uid, ...extra });

describe('TestValidateObjectMetaOwnerReferences', () => {
  it.each([
    ['simple success - third party extension.', [ref('customresourceKind', '1')], ''],
    ["simple failures - event shouldn't be set as an owner", [{ apiVersion: 'v1', kind: 'Event', name: 'name', uid: '1' }], 'is disallowed from being an owner'],
    ['simple failures - invalid apiVersion with too many slashes', [{ apiVersion: 'a/b/c', kind: 'Pod', name: 'name', uid: '1' }], 'must be <group>/<version> or <version>'],
    ['simple failures - invalid apiVersion with empty version', [{ apiVersion: 'foo/', kind: 'Pod', name: 'name', uid: '1' }], 'must be <group>/<version> or <version>'],
    ['simple success - apiVersion with no slashes (legacy core group)', [{ apiVersion: 'v1', kind: 'Pod', name: 'name', uid: '1' }], ''],
    [
      'simple controller ref success - one reference with Controller set',
      [ref('customresourceKind', '1', { controller: false }), ref('customresourceKind', '2', { controller: true }), ref('customresourceKind', '3', { controller: false }), ref('customresourceKind', '4')],
      '',
    ],
    [
      'simple controller ref failure - two references with Controller set',
      [ref('customresourceKind1', '1', { controller: false }), ref('customresourceKind2', '2', { controller: true }), ref('customresourceKind3', '3', { controller: true }), ref('customresourceKind4', '4')],
      'Only one reference can have Controller set to true. Found "true" in references for customresourceKind2/name and customresourceKind3/name',
    ],
  ])('%s', (_description, ownerReferences, expected) => {
    const errors = validateMetadata(pod, { name: 'test', namespace: 'test', ownerReferences }, 'field');
    if (!expected) expect(errors).toEqual([]);
    else {
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0].message).toContain(expected);
    }
  });
});

describe('TestValidateFinalizersPreventConflictingFinalizers', () => {
  it('conflicting finalizers', () => {
    const errors = validateMetadata(pod, { name: 'test', finalizers: ['orphan', 'foregroundDeletion'] }, 'field');
    expect(errors.map((e) => e.message).join('; ')).toContain('cannot be both set');
  });
});

describe('TestValidateFinalizersUpdate (through the API)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  let n = 0;
  /** A pod with `finalizers`, being deleted when `deleting`; then a patch to `next`. */
  async function update(old: string[], next: string[], deleting: boolean) {
    const name = `f${n++}`;
    await api.ok(`mutation($n: String!, $f: [String!]) { createPod(input: { metadata: { name: $n, finalizers: $f }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`, { n: name, f: old });
    if (deleting) await api.ok(`mutation($n: String!) { deletePod(namespace: "default", name: $n) { metadata { deletionTimestamp } } }`, { n: name });
    return api.gql(`mutation($n: String!, $p: JSON!) { patchPod(namespace: "default", name: $n, patch: $p) { metadata { finalizers } } }`, { n: name, p: { metadata: { finalizers: next } } });
  }

  it.each([
    ['invalid adding finalizers', ['x/a'], ['x/a', 'y/b'], true, 'y/b'],
    ['invalid changing finalizers', ['x/a'], ['x/b'], true, 'x/b'],
    ['valid removing finalizers', ['x/a', 'y/b'], ['x/a'], true, ''],
    ['valid adding finalizers for objects not being deleted', ['x/a'], ['x/a', 'y/b'], false, ''],
  ])('%s', async (_name, old, next, deleting, expected) => {
    const res = await update(old, next, deleting);
    if (!expected) expect(res.errors).toBeUndefined();
    else {
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.metadata.finalizers' });
      expect(res.errors?.[0].message).toContain(expected);
    }
  });
});
