import { describe, it, expect } from 'vitest';
import { KubeqlError } from '../../server/errors.js';
import { matchesFields, parseFieldSelector, type FieldRequirement } from '../../server/resources/selectors/field-selector.js';

const FIELDS = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'] as const;

function parseError(text: string): KubeqlError {
  try {
    parseFieldSelector(text, FIELDS);
  } catch (e) {
    expect(e).toBeInstanceOf(KubeqlError);
    return e as KubeqlError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseFieldSelector', () => {
  it.each([
    ['', []],
    [null, []],
    ['metadata.name=web', [{ field: 'metadata.name', operator: '=', value: 'web' }]],
    ['metadata.name==web', [{ field: 'metadata.name', operator: '=', value: 'web' }]],
    ['status.phase!=Running', [{ field: 'status.phase', operator: '!=', value: 'Running' }]],
    ['spec.nodeName=', [{ field: 'spec.nodeName', operator: '=', value: '' }]],
    [
      'spec.nodeName=n1,status.phase!=Failed',
      [
        { field: 'spec.nodeName', operator: '=', value: 'n1' },
        { field: 'status.phase', operator: '!=', value: 'Failed' },
      ],
    ],
    ['metadata.name=a,,', [{ field: 'metadata.name', operator: '=', value: 'a' }]],
    // Backslash escapes: \, \= \\ in values.
    ['metadata.name=a\\,b', [{ field: 'metadata.name', operator: '=', value: 'a,b' }]],
    ['metadata.name=a\\=b\\\\c', [{ field: 'metadata.name', operator: '=', value: 'a=b\\c' }]],
    ['metadata.name==\\=', [{ field: 'metadata.name', operator: '=', value: '=' }]],
    // Whitespace is data, as in Kubernetes.
    ['metadata.name= web', [{ field: 'metadata.name', operator: '=', value: ' web' }]],
  ] as [string | null, FieldRequirement[]][])('%j', (text, expected) => {
    expect(parseFieldSelector(text, FIELDS)).toEqual(expected);
  });

  it.each([
    ['metadata.name', /can't understand "metadata\.name"/],
    ['metadata.name=a,b', /can't understand "b"/],
    ['metadata.name=a=b', /unescaped character in value: '='/],
    ['metadata.name=a\\x', /invalid escape sequence: \\x/],
    ['metadata.name=a\\', /invalid escape sequence: \\(?!\w)/],
    ['spec.foo=bar', /^"spec\.foo" is not a known field selector: only "metadata\.name", "metadata\.namespace", "spec\.nodeName", "status\.phase"$/],
    ['metadata.name =web', /^"metadata\.name " is not a known field selector/],
    ['=web', /^"" is not a known field selector/],
  ])('rejects %j', (text, message) => {
    const err = parseError(text);
    expect(err.code).toBe('INVALID_SELECTOR');
    expect(err.extensions.selector).toBe(text);
    expect(err.message).toMatch(message);
  });

  it('says when no field is selectable', () => {
    expect(() => parseFieldSelector('metadata.name=a', [])).toThrow('"metadata.name" is not a known field selector: none are supported');
  });
});

describe('matchesFields', () => {
  const pod: Record<string, string> = { 'metadata.name': 'web', 'spec.nodeName': '', 'status.phase': 'Running' };
  const get = (f: string): string => pod[f] ?? '';
  it.each([
    ['', true],
    ['metadata.name=web', true],
    ['metadata.name=db', false],
    ['metadata.name!=db', true],
    ['metadata.name!=web', false],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['metadata.name=web,status.phase=Running', true],
    ['metadata.name=web,status.phase!=Running', false],
  ])('%j → %s', (text, expected) => {
    expect(matchesFields(parseFieldSelector(text, FIELDS), get)).toBe(expected);
  });
});
