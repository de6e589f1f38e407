import { describe, it, expect } from 'vitest';
import {
  labelValueErrors,
  qualifiedNameErrors,
  TOTAL_ANNOTATION_SIZE_LIMIT,
  validateAnnotations,
  validateLabels,
} from '../../server/resources/validation/labels.js';

const NAME_REGEX_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('qualifiedNameErrors', () => {
  it.each([
    ['app', true],
    ['App_Name.v1', true],
    ['k8s.io/app', true],
    ['app.kubernetes.io/name', true],
    ['a', true],
    ['1', true],
    ['a'.repeat(63), true],
    [`${'p'.repeat(253)}/n`, true],
    ['', false],
    ['a'.repeat(64), false],
    ['-app', false],
    ['app-', false],
    ['a b', false],
    ['/app', false],
    ['k8s.io/', false],
    ['K8s.io/app', false],
    ['a/b/c', false],
    [`${'p'.repeat(254)}/n`, false],
  ])('%j valid=%s', (key, valid) => {
    expect(qualifiedNameErrors(key).length === 0).toBe(valid);
  });

  it('words errors as Kubernetes', () => {
    expect(qualifiedNameErrors('-x')).toEqual([NAME_REGEX_MSG]);
    expect(qualifiedNameErrors('a'.repeat(64))).toEqual(['name part must be no more than 63 characters']);
    expect(qualifiedNameErrors('/x')).toEqual(['prefix part must be non-empty']);
    expect(qualifiedNameErrors('x/')).toEqual(['name part must be non-empty', NAME_REGEX_MSG]);
    expect(qualifiedNameErrors('Example.com/x')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain must consist of/);
    expect(qualifiedNameErrors('a/b/c')).toHaveLength(1);
    expect(qualifiedNameErrors('a/b/c')[0]).toMatch(/^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  });
});

describe('labelValueErrors', () => {
  it.each([
    ['', []],
    ['web', []],
    ['My_Value-1.2', []],
    ['12345', []],
    ['a'.repeat(63), []],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['-web', [VALUE_MSG]],
    ['web_', [VALUE_MSG]],
    ['a b', [VALUE_MSG]],
    ['a/b', [VALUE_MSG]],
    ['é', [VALUE_MSG]],
  ] as [string, string[]][])('%j → %j', (value, expected) => {
    expect(labelValueErrors(value)).toEqual(expected);
  });
});

describe('validateLabels', () => {
  it('accepts absent and valid labels', () => {
    expect(validateLabels(undefined, 'metadata.labels')).toEqual([]);
    expect(validateLabels(null, 'metadata.labels')).toEqual([]);
    expect(validateLabels({}, 'metadata.labels')).toEqual([]);
    expect(validateLabels({ app: 'web', 'app.kubernetes.io/name': '', tier: 'Front_End' }, 'metadata.labels')).toEqual([]);
  });

  it('rejects non-objects', () => {
    expect(validateLabels('app=web', 'metadata.labels')).toEqual([{ path: 'metadata.labels', message: 'must be an object mapping label keys to string values' }]);
    expect(validateLabels(['a'], 'metadata.labels')).toHaveLength(1);
  });

  it('names each bad key or value by path', () => {
    expect(validateLabels({ app: 'bad value' }, 'metadata.labels')).toEqual([
      { path: 'metadata.labels.app', message: `Invalid value: "bad value": ${VALUE_MSG}` },
    ]);
    expect(validateLabels({ 'bad key': 'v' }, 'metadata.labels')).toEqual([
      { path: 'metadata.labels["bad key"]', message: `Invalid value: "bad key": ${NAME_REGEX_MSG}` },
    ]);
    expect(validateLabels({ 'k8s.io/x': 5 }, 'spec.selector')).toEqual([{ path: 'spec.selector["k8s.io/x"]', message: 'must be a string' }]);
  });
});

describe('validateAnnotations', () => {
  it('accepts free-form values and case-insensitive prefixes', () => {
    expect(validateAnnotations({ 'Example.COM/Note': 'any text, with spaces & symbols!\n' }, 'metadata.annotations')).toEqual([]);
    expect(validateAnnotations(undefined, 'metadata.annotations')).toEqual([]);
  });

  it('rejects bad keys and non-string values', () => {
    const errors = validateAnnotations({ 'a b': 'x', ok: 1 }, 'metadata.annotations');
    expect(errors.map((e) => e.path)).toEqual(['metadata.annotations["a b"]', 'metadata.annotations.ok']);
    expect(errors[1].message).toBe('must be a string');
    expect(validateAnnotations(7, 'metadata.annotations')).toHaveLength(1);
  });

  it('limits the total size of keys and values to 256 KiB', () => {
    expect(TOTAL_ANNOTATION_SIZE_LIMIT).toBe(262144);
    const atLimit = { a: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT - 1) };
    expect(validateAnnotations(atLimit, 'metadata.annotations')).toEqual([]);
    const over = { a: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT - 1), b: '' };
    const errors = validateAnnotations(over, 'metadata.annotations');
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('metadata.annotations');
    expect(errors[0].message).toMatch(/^Too long: may not be more than 262144 bytes/);
    // Sizes are UTF-8 bytes, as Go's len().
    expect(validateAnnotations({ a: 'é'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT / 2) }, 'metadata.annotations')).toHaveLength(1);
  });
});
