/**
 * apimachinery's label selector tables (k8s.io/apimachinery/pkg/labels/selector_test.go):
 * TestSelectorParse, TestSelectorMatches and TestRequirementSelectorMatching, each match decided
 * both ways Kubeql decides it: by a list (in SQLite) and by the watch's in-memory filter, which
 * must agree with Kubernetes and with each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchFilter } from '../../server/api/watch/watch-filter.js';
import { formatLabelSelector, parseLabelSelector } from '../../server/resources/selectors/label-selector.js';
import type { KObject } from '../../server/resources/kind.js';
import { startTestApi, type TestApi } from '../support/api.js';

describe('TestSelectorParse', () => {
  it.each(['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5'])('%j parses and prints back without spaces', (text) => {
    expect(formatLabelSelector(parseLabelSelector(text))).toBe(text.replace(/ /g, ''));
  });
  it.each(['x=a||y=b', 'x==a==b', '!x=a', 'x<a'])('%j is INVALID_SELECTOR', (text) => {
    expect(() => parseLabelSelector(text)).toThrow(expect.objectContaining({ code: 'INVALID_SELECTOR' }));
  });
});

// [selector, labels, match]
const MATCHES: Array<[string, Record<string, string>, boolean]> = [
  // TestSelectorMatches
  ['', { x: 'y' }, true],
  ['x=y', { x: 'y' }, true],
  ['x=y,z=w', { x: 'y', z: 'w' }, true],
  ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
  ['notin=in', { notin: 'in' }, true],
  ['x', { x: 'z' }, true],
  ['!x', { y: 'z' }, true],
  ['x>1', { x: '2' }, true],
  ['x<1', { x: '0' }, true],
  ['x=z', {}, false],
  ['x=y', { x: 'z' }, false],
  ['x=y,z=w', { x: 'w', z: 'w' }, false],
  ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
  ['x', { y: 'z' }, false],
  ['!x', { x: 'z' }, false],
  ['x>1', { x: '0' }, false],
  ['x<1', { x: '2' }, false],
  ['foo=bar', { foo: 'bar', baz: 'blah' }, true],
  ['baz=blah', { foo: 'bar', baz: 'blah' }, true],
  ['foo=bar,baz=blah', { foo: 'bar', baz: 'blah' }, true],
  ['foo=blah', { foo: 'bar', baz: 'blah' }, false],
  ['baz=bar', { foo: 'bar', baz: 'blah' }, false],
  ['foo=bar,foobar=bar,baz=blah', { foo: 'bar', baz: 'blah' }, false],
  // TestRequirementSelectorMatching (sets.NewString(""), the set of the empty value, is `()` in the grammar)
  ['x in (foo),y notin (alpha)', { x: 'foo', y: 'baz' }, true],
  ['x in (foo),y in (alpha)', { x: 'foo', y: 'baz' }, false],
  ['x notin (),y', { y: '' }, true],
  ['!x,y', { y: '' }, true],
  ['x notin (),!y', { y: '' }, false],
  ['x in ()', { y: 'baz' }, false],
  ['z>1', { z: '2' }, true],
  ['z>1', { z: 'v2' }, false],
];

describe('TestSelectorMatches and TestRequirementSelectorMatching, by list and by watch', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await api.ok(`mutation { createNamespace(input: { metadata: { name: "sel" } }) { metadata { name } } }`);
    for (const [i, [, labels]] of MATCHES.entries())
      await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
        i: { metadata: { name: `p${i}`, namespace: 'sel', labels }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      });
  });
  afterAll(() => api.close());

  it.each(MATCHES.map((m, i) => [i, ...m] as const))('%i: %j against %j: %s', async (i, selector, _labels, match) => {
    const res = await api.ok(`query($ls: String, $fs: String) { pods(namespace: "sel", labelSelector: $ls, fieldSelector: $fs) { edges { node { manifest } } } }`, {
      ls: selector,
      fs: `metadata.name=p${i}`,
    });
    expect(res.pods.edges.length === 1, 'list').toBe(match);
    const pod = (await api.ok(`query($n: String!) { pod(namespace: "sel", name: $n) { manifest } }`, { n: `p${i}` })).pod.manifest as KObject;
    expect(watchFilter({ kind: 'Pod', labelSelector: selector }).matches(pod), 'watch').toBe(match);
  });
});
