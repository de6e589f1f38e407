import { describe, it, expect } from 'vitest';
import { KubeqlError } from '../../server/errors.js';
import {
  formatLabelSelector,
  labelSelectorFromObject,
  matchesLabels,
  parseLabelSelector,
  type LabelRequirement,
} from '../../server/resources/selectors/label-selector.js';

const r = (key: string, operator: LabelRequirement['operator'], values: string[] = []): LabelRequirement => ({ key, operator, values });

function parseError(text: string): KubeqlError {
  try {
    parseLabelSelector(text);
  } catch (e) {
    expect(e).toBeInstanceOf(KubeqlError);
    return e as KubeqlError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseLabelSelector: valid selectors', () => {
  it.each([
    ['', []],
    ['   ', []],
    [null, []],
    [undefined, []],
    ['a=b', [r('a', 'in', ['b'])]],
    ['a==b', [r('a', 'in', ['b'])]],
    ['a!=b', [r('a', 'notin', ['b'])]],
    ['a in (x,y)', [r('a', 'in', ['x', 'y'])]],
    ['a in (y,x,y)', [r('a', 'in', ['x', 'y'])]],
    ['a notin (x)', [r('a', 'notin', ['x'])]],
    ['a', [r('a', 'exists')]],
    ['!a', [r('a', 'doesnotexist')]],
    ['a>5', [r('a', 'gt', ['5'])]],
    ['a<5', [r('a', 'lt', ['5'])]],
    ['a=', [r('a', 'in', [''])]],
    ['a!=', [r('a', 'notin', [''])]],
    ['a in (x,)', [r('a', 'in', ['', 'x'])]],
    ['a in (,x)', [r('a', 'in', ['', 'x'])]],
    ['a in (x,,y)', [r('a', 'in', ['', 'x', 'y'])]],
    ['a in ()', [r('a', 'in', [''])]],
    ['  a  =  b  ,\tc\n', [r('a', 'in', ['b']), r('c', 'exists')]],
    ['a in(x),b notin(y)', [r('a', 'in', ['x']), r('b', 'notin', ['y'])]],
    // Sorted by key, as Kubernetes does.
    ['z=1,a=2,!m', [r('a', 'in', ['2']), r('m', 'doesnotexist'), r('z', 'in', ['1'])]],
    // `in`/`notin` are plain identifiers in key and value positions.
    ['in in (in,notin)', [r('in', 'in', ['in', 'notin'])]],
    ['notin=in', [r('notin', 'in', ['in'])]],
    ['app.kubernetes.io/name=web,k8s.io/x', [r('app.kubernetes.io/name', 'in', ['web']), r('k8s.io/x', 'exists')]],
    ['a=b,a!=c', [r('a', 'in', ['b']), r('a', 'notin', ['c'])]],
  ] as [string | null | undefined, LabelRequirement[]][])('%j', (text, expected) => {
    expect(parseLabelSelector(text)).toEqual(expected);
  });
});

describe('parseLabelSelector: invalid selectors', () => {
  it.each([
    ['a in (', /found end of string at position 6, expected: ',', '\)' or identifier/],
    ['a in (x', /found end of string at position 7, expected: ',' or '\)'/],
    ['a b', /found 'b' at position 2, expected: in, notin, =, ==, !=, >, </],
    ['=b', /found '=' at position 0, expected: !, identifier, or 'end of string'/],
    ['a in x', /found 'x' at position 5, expected: '\('/],
    ['!a=b', /found '=' at position 2, expected: ',' or 'end of string'/],
    ['a,', /found end of string at position 2, expected: identifier after ','/],
    [',a', /found ',' at position 0/],
    ['a=b c', /found 'c' at position 4, expected: ',' or 'end of string'/],
    ['a!==b', /found '=' at position 3, expected: identifier/],
    ['a in (x y)', /found 'y' at position 8, expected: ',' or '\)'/],
    ['a in (=)', /found '=' at position 6, expected: ',', '\)' or identifier/],
    ['!', /found end of string at position 1, expected: identifier/],
    ['!!a', /found '!' at position 1, expected: identifier/],
    [`${'k'.repeat(64)}=v`, /invalid key "k{64}" at position 0: name part must be no more than 63 characters/],
    ['a/b/c=v', /invalid key "a\/b\/c"/],
    ['-a', /invalid key "-a"/],
    ['a=b c', /position 4/],
    ['a=b@d', /requirement "a=b@d" at position 0: invalid value "b@d": a valid label must be an empty string/],
    ['x=1,a in (ok,-bad)', /requirement "a in \(ok,-bad\)" at position 4: invalid value "-bad"/],
    [`a=${'v'.repeat(64)}`, /must be no more than 63 characters/],
    ['a>b', /requirement "a>b" at position 0: for 'Gt', 'Lt' operators, the value must be an integer: "b"/],
    ['a>', /the value must be an integer: ""/],
    ['a<1.5', /the value must be an integer/],
    ['a>99999999999999999999', /the value must be an integer/],
    ['a>-1', /a valid label must be an empty string/],
  ] as [string, RegExp][])('%j', (text, message) => {
    const err = parseError(text);
    expect(err.code).toBe('INVALID_SELECTOR');
    expect(err.extensions).toEqual({ selector: text, code: 'INVALID_SELECTOR' });
    expect(err.message.startsWith(`invalid label selector ${JSON.stringify(text)}: `)).toBe(true);
    expect(err.message).toMatch(message);
  });
});

describe('matchesLabels', () => {
  const none = undefined;
  const empty = {};
  const web = { app: 'web', tier: 'frontend', replicas: '3' };
  const db = { app: 'db', tier: 'backend', replicas: '10' };
  const odd = { app: '', replicas: 'many' };

  // [selector, none, {}, web, db, odd]
  it.each([
    ['', true, true, true, true, true],
    ['app=web', false, false, true, false, false],
    ['app==web', false, false, true, false, false],
    ['app in (web,db)', false, false, true, true, false],
    // `!=` and `notin` match objects WITHOUT the key; `=`/`in` do not.
    ['app!=web', true, true, false, true, true],
    ['app notin (web,db)', true, true, false, false, true],
    ['zone!=a', true, true, true, true, true],
    ['zone notin (a)', true, true, true, true, true],
    ['zone=a', false, false, false, false, false],
    ['zone in (a)', false, false, false, false, false],
    ['app', false, false, true, true, true],
    ['!app', true, true, false, false, false],
    ['app=', false, false, false, false, true],
    ['app in (,web)', false, false, true, false, true],
    ['replicas>3', false, false, false, true, false],
    ['replicas>2', false, false, true, true, false],
    ['replicas<10', false, false, true, false, false],
    ['replicas<100', false, false, true, true, false],
    // `>`/`<` need the key and an integer value: 'many' never matches, missing never matches.
    ['zone<1', false, false, false, false, false],
    ['app=web,tier=frontend', false, false, true, false, false],
    ['app=web,tier=backend', false, false, false, false, false],
    ['app,!zone,tier notin (backend)', false, false, true, false, true],
  ] as [string, boolean, boolean, boolean, boolean, boolean][])('%j', (text, ...expected) => {
    const reqs = parseLabelSelector(text);
    expect([none, empty, web, db, odd].map((ls) => matchesLabels(reqs, ls))).toEqual(expected);
  });

  it('compares gt/lt as 64-bit integers, not strings', () => {
    expect(matchesLabels(parseLabelSelector('n>9'), { n: '10' })).toBe(true);
    expect(matchesLabels(parseLabelSelector('n<9223372036854775807'), { n: '9223372036854775806' })).toBe(true);
    expect(matchesLabels(parseLabelSelector('n>0'), { n: '9223372036854775808' })).toBe(false); // out of int64
  });

  it('does not see inherited properties as labels', () => {
    expect(matchesLabels(parseLabelSelector('toString'), {})).toBe(false);
    expect(matchesLabels(parseLabelSelector('!constructor'), {})).toBe(true);
  });
});

describe('formatLabelSelector', () => {
  it.each([
    ['a==b', 'a=b'],
    ['a!=b', 'a!=b'],
    ['a in (y,x)', 'a in (x,y)'],
    ['a in (x)', 'a=x'],
    ['a notin (x,y)', 'a notin (x,y)'],
    ['!a', '!a'],
    ['a', 'a'],
    ['a>5', 'a>5'],
    ['a<5', 'a<5'],
    ['a=', 'a='],
    ['a in (x,)', 'a in (,x)'],
    ['z=1, b in (2), !a', '!a,b=2,z=1'],
    ['', ''],
  ])('%j → %j', (text, expected) => {
    const reqs = parseLabelSelector(text);
    expect(formatLabelSelector(reqs)).toBe(expected);
    expect(parseLabelSelector(formatLabelSelector(reqs))).toEqual(reqs);
  });

  it('sorts requirements it did not parse', () => {
    expect(formatLabelSelector([r('b', 'exists'), r('a', 'in', ['y', 'x', 'x'])])).toBe('a in (x,y),b');
  });
});

describe('labelSelectorFromObject', () => {
  it('converts matchLabels and matchExpressions', () => {
    const { requirements, errors } = labelSelectorFromObject(
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['b', 'a'] },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
          { key: 'gpu', operator: 'Exists' },
          { key: 'canary', operator: 'DoesNotExist', values: [] },
        ],
      },
      'spec.selector',
    );
    expect(errors).toEqual([]);
    expect(requirements).toEqual([
      r('app', 'in', ['web']),
      r('canary', 'doesnotexist'),
      r('env', 'notin', ['prod']),
      r('gpu', 'exists'),
      r('tier', 'in', ['a', 'b']),
    ]);
    expect(matchesLabels(requirements, { app: 'web', tier: 'a', gpu: '1' })).toBe(true);
    expect(matchesLabels(requirements, { app: 'web', tier: 'a', gpu: '1', env: 'prod' })).toBe(false);
  });

  it('treats absent and empty selectors as matching everything', () => {
    expect(labelSelectorFromObject(undefined, 'spec.selector')).toEqual({ requirements: [], errors: [] });
    expect(labelSelectorFromObject(null, 'spec.selector')).toEqual({ requirements: [], errors: [] });
    expect(labelSelectorFromObject({}, 'spec.selector')).toEqual({ requirements: [], errors: [] });
  });

  it.each([
    ['not an object', 'x', [['spec.selector', /must be an object/]]],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, [['spec.selector.matchExpressions[0].values', /^Required value: must be specified when `operator` is 'In' or 'NotIn'$/]]],
    ['NotIn with no values field', { matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, [['spec.selector.matchExpressions[0].values', /^Required value/]]],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, [['spec.selector.matchExpressions[0].values', /^Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'$/]]],
    ['bad operator', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, [['spec.selector.matchExpressions[0].operator', /^Invalid value: "Gt": not a valid selector operator$/]]],
    ['lowercase operator', { matchExpressions: [{ key: 'a', operator: 'in', values: ['1'] }] }, [['spec.selector.matchExpressions[0].operator', /not a valid selector operator/]]],
    ['bad key', { matchExpressions: [{ key: 'a b', operator: 'Exists' }] }, [['spec.selector.matchExpressions[0].key', /^Invalid value: "a b": name part must consist/]]],
    ['missing key', { matchExpressions: [{ operator: 'Exists' }] }, [['spec.selector.matchExpressions[0].key', /^Required value/]]],
    ['bad value', { matchExpressions: [{ key: 'a', operator: 'In', values: ['ok', 'not ok'] }] }, [['spec.selector.matchExpressions[0].values[1]', /^Invalid value: "not ok": a valid label must be/]]],
    ['bad matchLabels value', { matchLabels: { app: 'a/b' } }, [['spec.selector.matchLabels.app', /^Invalid value: "a\/b"/]]],
    ['matchExpressions not a list', { matchExpressions: {} }, [['spec.selector.matchExpressions', /must be an array/]]],
    ['unknown field', { matchLabel: { a: 'b' } }, [['spec.selector.matchLabel', /^unknown field$/]]],
  ] as [string, unknown, [string, RegExp][]][])('%s', (_name, sel, expected) => {
    const { errors } = labelSelectorFromObject(sel, 'spec.selector');
    expect(errors.map((e) => e.path)).toEqual(expected.map(([p]) => p));
    errors.forEach((e, i) => expect(e.message).toMatch(expected[i][1]));
  });
});
