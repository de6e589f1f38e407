/** Kubernetes label selectors (k8s.io/apimachinery/pkg/labels): parse the string grammar, convert LabelSelector objects, match, format. */
import { KubeqlError } from '../../errors.js';
import { childPath, type FieldError } from '../validation/field-error.js';
import { labelValueErrors, qualifiedNameErrors, validateLabels } from '../validation/labels.js';
import { isPlainObject } from '../plain-object.js';
import { MAX_SELECTOR_LENGTH, MAX_SELECTOR_TERMS, MAX_SELECTOR_VALUES } from './selector-limits.js';

export type LabelOperator = 'in' | 'notin' | 'exists' | 'doesnotexist' | 'gt' | 'lt';

/** One requirement; all of a selector's requirements must match (AND). `a=b` is `in ['b']`, `a!=b` is `notin ['b']`. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

// ---- lexer (labels.Lexer) ----

type Tok = 'id' | 'eos' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';
interface Token {
  tok: Tok;
  lit: string;
  pos: number;
}

const SYMBOLS = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);
const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isWhitespace(s[i])) i++;
    const pos = i;
    if (i >= s.length) return [...out, { tok: 'eos', lit: '', pos }];
    if (isSpecial(s[i])) {
      // Longest run of special characters that is still an operator: `!=` is one token, `!==` is `!=` then `=`.
      let lit = s[i++];
      while (i < s.length && SYMBOLS.has(lit + s[i])) lit += s[i++];
      out.push({ tok: lit as Tok, lit, pos });
    } else {
      while (i < s.length && !isSpecial(s[i]) && !isWhitespace(s[i])) i++;
      const lit = s.slice(pos, i);
      out.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit, pos });
    }
  }
}

// ---- requirement checks (labels.NewRequirement) ----

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function requirementErrors(operator: LabelOperator, values: string[]): string[] {
  const errs: string[] = [];
  if ((operator === 'in' || operator === 'notin') && values.length === 0) errs.push("for 'in', 'notin' operators, values set can't be empty");
  if ((operator === 'exists' || operator === 'doesnotexist') && values.length !== 0) errs.push('values set must be empty for exists and does not exist');
  if (operator === 'gt' || operator === 'lt') {
    if (values.length !== 1) errs.push("for 'Gt', 'Lt' operators, exactly one value is required");
    for (const v of values) if (parseInt64(v) === undefined) errs.push(`for 'Gt', 'Lt' operators, the value must be an integer: ${JSON.stringify(v)}`);
  }
  for (const v of values) for (const m of labelValueErrors(v)) errs.push(`invalid value ${JSON.stringify(v)}: ${m}`);
  return errs;
}

const sortedSet = (values: Iterable<string>): string[] => [...new Set(values)].sort();
const byKey = (a: LabelRequirement, b: LabelRequirement): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

// ---- parser (labels.Parser) ----

const BINARY_OPERATORS = 'in, notin, =, ==, !=, >, <';

/**
 * Parses a label selector string (`app=web,tier in (a,b),!canary,replicas>2`) into requirements sorted by key,
 * with each requirement's values sorted and deduplicated. Empty or blank text is [] (matches everything).
 * Throws KubeqlError INVALID_SELECTOR naming the problem and its 0-based character position or requirement.
 */
export function parseLabelSelector(text: string | null | undefined): LabelRequirement[] {
  const source = text ?? '';
  if (source.length > MAX_SELECTOR_LENGTH)
    throw new KubeqlError('INVALID_SELECTOR', `label selector of ${source.length} characters is longer than the limit of ${MAX_SELECTOR_LENGTH}`, { limit: MAX_SELECTOR_LENGTH });
  const tokens = lex(source);
  let at = 0;
  function fail(detail: string): never {
    throw new KubeqlError('INVALID_SELECTOR', `invalid label selector ${JSON.stringify(source)}: ${detail}`, { selector: text });
  }
  // In the Values context the keywords `in` and `notin` are ordinary identifiers.
  const peek = (values = true): Token => {
    const t = tokens[at];
    return values && (t.tok === 'in' || t.tok === 'notin') ? { ...t, tok: 'id' } : t;
  };
  const next = (values = true): Token => {
    const t = peek(values);
    if (t.tok !== 'eos') at++;
    return t;
  };
  const found = (t: Token): string => (t.tok === 'eos' ? `found end of string at position ${t.pos}` : `found '${t.lit}' at position ${t.pos}`);

  const parseValues = (): string[] => {
    const open = next();
    if (open.tok !== '(') fail(`${found(open)}, expected: '('`);
    const first = peek();
    if (first.tok === ')') {
      next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') fail(`${found(first)}, expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      if (values.length > MAX_SELECTOR_VALUES) fail(`more than ${MAX_SELECTOR_VALUES} values in one set, at position ${tokens[at - 1].pos}`);
      const t = next();
      if (t.tok === 'id') {
        values.push(t.lit);
        const after = peek();
        if (after.tok === ')') break;
        if (after.tok !== ',') fail(`${found(after)}, expected: ',' or ')'`);
      } else if (t.tok === ',') {
        // A comma with nothing on one side stands for the empty value: `(,a)`, `(a,)`, `(a,,b)`.
        if (values.length === 0) values.push('');
        const after = peek();
        if (after.tok === ')') {
          values.push('');
          break;
        }
        if (after.tok === ',') {
          next();
          values.push('');
        }
      } else fail(`${found(t)}, expected: ',' or identifier`);
    }
    if (values.length > MAX_SELECTOR_VALUES) fail(`more than ${MAX_SELECTOR_VALUES} values in one set, at position ${peek().pos}`);
    next(); // the ')' seen above
    return values;
  };

  const parseRequirement = (): LabelRequirement => {
    const start = peek().pos;
    let t = next();
    const negated = t.tok === '!';
    if (negated) t = next();
    if (t.tok !== 'id') fail(`${found(t)}, expected: identifier`);
    const key = t.lit;
    const keyErrors = qualifiedNameErrors(key);
    if (keyErrors.length > 0) fail(`invalid key ${JSON.stringify(key)} at position ${t.pos}: ${keyErrors.join('; ')}`);
    let operator: LabelOperator;
    let values: string[] = [];
    const ahead = peek();
    if (negated) operator = 'doesnotexist';
    else if (ahead.tok === 'eos' || ahead.tok === ',') operator = 'exists';
    else {
      const op = next(false);
      if (op.tok === 'in' || op.tok === 'notin') {
        operator = op.tok;
        values = parseValues();
      } else if (op.tok === '=' || op.tok === '==' || op.tok === '!=' || op.tok === '>' || op.tok === '<') {
        operator = op.tok === '!=' ? 'notin' : op.tok === '>' ? 'gt' : op.tok === '<' ? 'lt' : 'in';
        const v = peek();
        if (v.tok === 'eos' || v.tok === ',') values = [''];
        else if (next().tok === 'id') values = [v.lit];
        else fail(`${found(v)}, expected: identifier`);
      } else fail(`${found(op)}, expected: ${BINARY_OPERATORS}`);
    }
    const errs = requirementErrors(operator, values);
    const end = at > 0 ? tokens[at - 1].pos + tokens[at - 1].lit.length : start;
    if (errs.length > 0) fail(`requirement ${JSON.stringify(source.slice(start, end))} at position ${start}: ${errs.join('; ')}`);
    return { key, operator, values: sortedSet(values) };
  };

  const requirements: LabelRequirement[] = [];
  for (;;) {
    const t = peek();
    if (t.tok === 'eos') break;
    if (t.tok !== 'id' && t.tok !== '!') fail(`${found(t)}, expected: !, identifier, or 'end of string'`);
    if (requirements.length === MAX_SELECTOR_TERMS) fail(`more than ${MAX_SELECTOR_TERMS} requirements, at position ${t.pos}`);
    requirements.push(parseRequirement());
    const sep = next();
    if (sep.tok === 'eos') break;
    if (sep.tok !== ',') fail(`${found(sep)}, expected: ',' or 'end of string'`);
    const after = peek();
    if (after.tok !== 'id' && after.tok !== '!') fail(`${found(after)}, expected: identifier after ','`);
  }
  return requirements.sort(byKey);
}

// ---- matching (labels.Requirement.Matches) ----

/**
 * `value > bound` (or `<`) as labels.Requirement.Matches decides it: both must parse as int64
 * (strconv.ParseInt), else no match. Lists and watches both match with matchesLabels, so they
 * agree on every label.
 */
export function compareNumeric(operator: 'gt' | 'lt', value: string, bound: string): boolean {
  const actual = parseInt64(value);
  const limit = parseInt64(bound);
  if (actual === undefined || limit === undefined) return false;
  return operator === 'gt' ? actual > limit : actual < limit;
}

function matchesOne(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
      return has && r.values.includes(value!);
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case 'doesnotexist':
      return !has;
    case 'gt':
    case 'lt':
      return has && r.values.length === 1 && compareNumeric(r.operator, value!, r.values[0]);
    default:
      return false;
  }
}

/** Whether labels satisfy every requirement. `notin`/`!=`/`!key` match objects without the key; `in`/`=`/`key`/`>`/`<` need it. */
export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const ls = labels ?? {};
  return reqs.every((r) => matchesOne(r, ls));
}

// ---- formatting (labels.Requirement.String) ----

function formatRequirement(r: LabelRequirement): string {
  const values = sortedSet(r.values);
  switch (r.operator) {
    case 'exists':
      return r.key;
    case 'doesnotexist':
      return `!${r.key}`;
    case 'gt':
      return `${r.key}>${values.join(',')}`;
    case 'lt':
      return `${r.key}<${values.join(',')}`;
    case 'in':
      return values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} in (${values.join(',')})`;
    case 'notin':
      return values.length === 1 ? `${r.key}!=${values[0]}` : `${r.key} notin (${values.join(',')})`;
  }
}

/** Canonical text of requirements: sorted by key, values sorted, single values as `=`/`!=`; parses back to the same requirements. */
export function formatLabelSelector(reqs: LabelRequirement[]): string {
  return [...reqs].sort(byKey).map(formatRequirement).join(',');
}

// ---- LabelSelector objects (metav1.LabelSelectorAsSelector + ValidateLabelSelector) ----

const OBJECT_OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'doesnotexist' };


function expressionRequirement(expr: unknown, path: string, errors: FieldError[]): LabelRequirement | undefined {
  if (!isPlainObject(expr)) {
    errors.push({ path, message: 'must be an object with key, operator and values' });
    return undefined;
  }
  const before = errors.length;
  for (const k of Object.keys(expr)) if (!['key', 'operator', 'values'].includes(k)) errors.push({ path: childPath(path, k), message: 'unknown field' });
  const { key, operator, values: rawValues } = expr;
  const op = typeof operator === 'string' && Object.hasOwn(OBJECT_OPERATORS, operator) ? OBJECT_OPERATORS[operator] : undefined;
  if (op === undefined) {
    const shown = typeof operator === 'string' ? JSON.stringify(operator) : String(operator);
    errors.push({ path: childPath(path, 'operator'), message: `Invalid value: ${shown}: not a valid selector operator` });
  }
  if (typeof key !== 'string') errors.push({ path: childPath(path, 'key'), message: 'Required value: must be a label key string' });
  else for (const m of qualifiedNameErrors(key)) errors.push({ path: childPath(path, 'key'), message: `Invalid value: ${JSON.stringify(key)}: ${m}` });
  const valuesPath = childPath(path, 'values');
  let values: string[] = [];
  if (rawValues !== undefined && rawValues !== null) {
    if (!Array.isArray(rawValues)) errors.push({ path: valuesPath, message: 'must be an array of strings' });
    else if (rawValues.length > MAX_SELECTOR_VALUES) {
      errors.push({ path: valuesPath, message: `Too many: ${rawValues.length}: must have at most ${MAX_SELECTOR_VALUES} items` });
      return undefined;
    } else values = rawValues as string[];
  }
  if ((op === 'in' || op === 'notin') && values.length === 0) {
    errors.push({ path: valuesPath, message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" });
  }
  if ((op === 'exists' || op === 'doesnotexist') && values.length > 0) {
    errors.push({ path: valuesPath, message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
  }
  values.forEach((v, i) => {
    if (typeof v !== 'string') errors.push({ path: childPath(valuesPath, i), message: 'must be a string' });
    else for (const m of labelValueErrors(v)) errors.push({ path: childPath(valuesPath, i), message: `Invalid value: ${JSON.stringify(v)}: ${m}` });
  });
  if (errors.length > before || op === undefined || typeof key !== 'string') return undefined;
  return { key, operator: op, values: sortedSet(values) };
}

/**
 * Converts and validates a Kubernetes LabelSelector object (`{ matchLabels, matchExpressions }`) at `path`.
 * null/undefined and `{}` give no requirements (match everything); callers that require a selector check presence.
 * `requirements` (sorted by key) is meaningful only when `errors` is empty.
 */
export function labelSelectorFromObject(sel: unknown, path: string): { requirements: LabelRequirement[]; errors: FieldError[] } {
  if (sel === undefined || sel === null) return { requirements: [], errors: [] };
  if (!isPlainObject(sel)) return { requirements: [], errors: [{ path, message: 'must be an object with matchLabels and/or matchExpressions' }] };
  const errors: FieldError[] = [];
  const requirements: LabelRequirement[] = [];
  for (const k of Object.keys(sel)) if (k !== 'matchLabels' && k !== 'matchExpressions') errors.push({ path: childPath(path, k), message: 'unknown field' });
  const { matchLabels, matchExpressions } = sel;
  errors.push(...validateLabels(matchLabels, childPath(path, 'matchLabels')));
  if (isPlainObject(matchLabels)) {
    for (const [key, value] of Object.entries(matchLabels)) if (typeof value === 'string') requirements.push({ key, operator: 'in', values: [value] });
  }
  const exprPath = childPath(path, 'matchExpressions');
  const terms = (isPlainObject(matchLabels) ? Object.keys(matchLabels).length : 0) + (Array.isArray(matchExpressions) ? matchExpressions.length : 0);
  if (terms > MAX_SELECTOR_TERMS) {
    errors.push({ path, message: `Too many: ${terms}: must have at most ${MAX_SELECTOR_TERMS} requirements (matchLabels and matchExpressions together)` });
    return { requirements: [], errors };
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) errors.push({ path: exprPath, message: 'must be an array of label selector requirements' });
    else
      matchExpressions.forEach((expr, i) => {
        const r = expressionRequirement(expr, childPath(exprPath, i), errors);
        if (r) requirements.push(r);
      });
  }
  return { requirements: requirements.sort(byKey), errors };
}
