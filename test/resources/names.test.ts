import { describe, it, expect } from 'vitest';
import { dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, portNameErrors } from '../../server/resources/validation/names.js';

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('dns1123LabelErrors', () => {
  it.each([
    ['a', []],
    ['my-name', []],
    ['123-abc', []],
    ['0', []],
    ['a'.repeat(63), []],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['', [LABEL_MSG]],
    ['My-Name', [LABEL_MSG]],
    ['-abc', [LABEL_MSG]],
    ['abc-', [LABEL_MSG]],
    ['a_b', [LABEL_MSG]],
    ['a.b', ['must not contain dots']],
    [`${'a'.repeat(40)}.${'b'.repeat(40)}`, ['must be no more than 63 characters', 'must not contain dots']],
  ] as [string, string[]][])('%j → %j', (value, expected) => {
    expect(dns1123LabelErrors(value)).toEqual(expected);
  });
});

describe('dns1123SubdomainErrors', () => {
  it.each([
    ['example.com', []],
    ['a', []],
    ['1.2.3.4', []],
    ['a-b.c-d', []],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, []], // 253
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, ['must be no more than 253 characters']],
    ['', [SUBDOMAIN_MSG]],
    ['Example.com', [SUBDOMAIN_MSG]],
    ['a..b', [SUBDOMAIN_MSG]],
    ['.a', [SUBDOMAIN_MSG]],
    ['a.-b', [SUBDOMAIN_MSG]],
    ['a_b.com', [SUBDOMAIN_MSG]],
  ] as [string, string[]][])('%j → %j', (value, expected) => {
    expect(dns1123SubdomainErrors(value)).toEqual(expected);
  });
});

describe('dns1035LabelErrors', () => {
  it.each([
    ['a', []],
    ['my-name', []],
    ['abc-123', []],
    ['a'.repeat(63), []],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['123-abc', [DNS1035_MSG]],
    ['', [DNS1035_MSG]],
    ['a.b', [DNS1035_MSG]],
    ['abc-', [DNS1035_MSG]],
    ['Abc', [DNS1035_MSG]],
  ] as [string, string[]][])('%j → %j', (value, expected) => {
    expect(dns1035LabelErrors(value)).toEqual(expected);
  });
});

// k8s.io/apimachinery/pkg/util/validation/validation_test.go: TestIsValidPortName
describe('portNameErrors (TestIsValidPortName)', () => {
  it.each(['telnet', 're-mail-ck', 'pop3', 'a', 'a-1', '1-a', 'a-1-b-2-c', '1-a-2-b-3'])('%j is valid', (v) => {
    expect(portNameErrors(v)).toEqual([]);
  });
  it.each(['longerthan15characters', '', 'a'.repeat(16), '12345', '1-2-3-4', '-begin', 'end-', 'two--hyphens', 'whois++'])('%j is invalid', (v) => {
    expect(portNameErrors(v).length).toBeGreaterThan(0);
  });
});

// k8s.io/apimachinery/pkg/util/validation/validation_test.go: TestIsRelaxedEnvVarName
describe('envVarNameErrors (TestIsRelaxedEnvVarName)', () => {
  it.each(['-', ':', '_', '+a', '>a', '<a', 'a.', 'a..', '*a', '%a', '?a', 'a:a', 'a_a', 'aAz', '~a', '|a', 'a0a', 'a9', '/a', 'a ', '#a', '0a', '0 a', "'a", '(a', '@a'])(
    '%j is valid',
    (v) => {
      expect(envVarNameErrors(v)).toEqual([]);
    },
  );
  it.each(['', '=', 'a=', '1=a', 'a=b', '#%=&&', `${String.fromCodePoint(1)}abc`, `${String.fromCodePoint(130)}abc`, 'Ç ç', 'Ä ä', 'Ñ ñ', 'Ø ø'])('%j is invalid', (v) => {
    expect(envVarNameErrors(v).length).toBeGreaterThan(0);
  });
});
