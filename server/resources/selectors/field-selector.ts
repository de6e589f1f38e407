/** Kubernetes field selectors (k8s.io/apimachinery/pkg/fields): `field=value,field!=value` with backslash-escaped values. */
import { KubeqlError } from '../../errors.js';
import { MAX_SELECTOR_LENGTH, MAX_SELECTOR_TERMS } from './selector-limits.js';

/** One term; all terms must hold (AND). `==` is parsed as `=`. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** Splits on commas that are not backslash-escaped, keeping the escapes (fields.splitTerms). */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** Splits at the first operator, trying `!=`, `==`, `=` at each position; the field part has no escapes (fields.splitTerm). */
function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
  }
  return undefined;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; a bare `,` or `=` is an error. Returns the value or an error. */
function unescapeValue(s: string): { value: string } | { error: string } {
  let value = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') return { error: `invalid escape sequence: \\${c}` };
      value += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') return { error: `unescaped character in value: '${c}'` };
    else value += c;
  }
  return inSlash ? { error: 'invalid escape sequence: \\' } : { value };
}

/**
 * Parses a field selector; empty text is [] (matches everything). Like Kubernetes, whitespace is not trimmed.
 * Throws KubeqlError INVALID_SELECTOR for a malformed term, a bad escape, or a field not in allowedFields.
 */
export function parseFieldSelector(text: string | null | undefined, allowedFields: readonly string[]): FieldRequirement[] {
  const source = text ?? '';
  if (source.length > MAX_SELECTOR_LENGTH)
    throw new KubeqlError('INVALID_SELECTOR', `field selector of ${source.length} characters is longer than the limit of ${MAX_SELECTOR_LENGTH}`, { limit: MAX_SELECTOR_LENGTH });
  const fail = (message: string): KubeqlError => new KubeqlError('INVALID_SELECTOR', message, { selector: text });
  const reqs: FieldRequirement[] = [];
  const terms = source === '' ? [] : splitTerms(source);
  if (terms.length > MAX_SELECTOR_TERMS) throw fail(`field selector has ${terms.length} terms; the limit is ${MAX_SELECTOR_TERMS}`);
  for (const term of terms) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) {
      throw fail(`invalid field selector ${JSON.stringify(source)}: can't understand ${JSON.stringify(term)} (expected field=value, field==value or field!=value)`);
    }
    const [field, op, raw] = parts;
    const unescaped = unescapeValue(raw);
    if ('error' in unescaped) throw fail(`invalid field selector ${JSON.stringify(source)}: ${unescaped.error} in term ${JSON.stringify(term)}`);
    reqs.push({ field, operator: op === '!=' ? '!=' : '=', value: unescaped.value });
  }
  for (const r of reqs) {
    if (!allowedFields.includes(r.field)) {
      const only = allowedFields.length > 0 ? `only ${allowedFields.map((f) => JSON.stringify(f)).join(', ')}` : 'none are supported';
      throw fail(`${JSON.stringify(r.field)} is not a known field selector: ${only}`);
    }
  }
  return reqs;
}

/** Whether every requirement holds, reading each field's value (as a string) with `get`. */
export function matchesFields(reqs: FieldRequirement[], get: (field: string) => string): boolean {
  return reqs.every((r) => (get(r.field) === r.value) === (r.operator === '='));
}
