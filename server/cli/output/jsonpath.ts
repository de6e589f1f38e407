/**
 * kubectl's JSONPath templates (`-o jsonpath=...`, and the paths of `-o custom-columns`): text with
 * `{expressions}`: `.a.b`, `['a.b']`, `[n]`, `[-1]`, `[a:b]`, `[*]`, `..name` (recursive), `[?(@.x=="y")]`
 * (==, !=, <, >, <=, >=; or `[?(@.x)]` for presence), `{range ...}...{end}` and `{"\t"}` literals.
 * Several results of one expression print space-separated; strings print raw, anything else as JSON.
 * No npm library implements this template language (the JSONPath ones implement Goessner's queries);
 * the parser bounds its input and its nesting.
 */
import { CliError } from '../cli-error.js';

const MAX_TEMPLATE = 4096;
const MAX_RANGE_DEPTH = 16;

type Step =
  | { t: 'field'; name: string }
  | { t: 'recursive'; name: string | null }
  | { t: 'index'; index: number }
  | { t: 'slice'; start?: number; end?: number }
  | { t: 'all' }
  | { t: 'filter'; path: Step[]; op?: string; value?: unknown };

type Node = { t: 'text'; text: string } | { t: 'expr'; steps: Step[] } | { t: 'range'; steps: Step[]; body: Node[] };

const bad = (template: string, why: string) => new CliError(`error parsing jsonpath ${template}: ${why}`);

/** Parses a path such as `.items[*].metadata.name` (a leading `$` is allowed) into steps. */
export function parsePath(path: string, template = path): Step[] {
  const steps: Step[] = [];
  let i = 0;
  if (path[i] === '$') i++;
  while (i < path.length) {
    const c = path[i];
    if (c === '.' && path[i + 1] === '.') {
      i += 2;
      const m = /^[A-Za-z0-9_\-$]*/.exec(path.slice(i))![0];
      steps.push({ t: 'recursive', name: m || null });
      i += m.length;
      if (!m && path[i] === '[') continue;
      if (!m && path[i] === '*') i++;
    } else if (c === '.') {
      i++;
      if (path[i] === '*') { steps.push({ t: 'all' }); i++; continue; }
      const m = /^[A-Za-z0-9_\-$\/]*/.exec(path.slice(i))![0];
      if (!m) { if (i >= path.length) break; throw bad(template, `unexpected "${path[i]}" after "."`); }
      steps.push({ t: 'field', name: m });
      i += m.length;
    } else if (c === '[') {
      const close = matchingBracket(path, i, template);
      const inner = path.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') steps.push({ t: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ t: 'index', index: Number(inner) });
      else if (/^-?\d*:-?\d*(:\d*)?$/.test(inner)) {
        const [a, b] = inner.split(':');
        steps.push({ t: 'slice', start: a === '' ? undefined : Number(a), end: b === '' ? undefined : Number(b) });
      } else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ t: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1).trim(), template));
      else throw bad(template, `unsupported subscript [${inner}]`);
    } else if (/[A-Za-z_]/.test(c) && steps.length === 0) {
      // `{metadata.name}` without the leading dot, as kubectl accepts it.
      const m = /^[A-Za-z0-9_\-$\/]*/.exec(path.slice(i))![0];
      steps.push({ t: 'field', name: m });
      i += m.length;
    } else throw bad(template, `unexpected "${c}" in ${path}`);
  }
  return steps;
}

function matchingBracket(path: string, open: number, template: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < path.length; i++) {
    const c = path[i];
    if (quote) { if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw bad(template, `unclosed [ in ${path}`);
}

function parseFilter(text: string, template: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_\-$\/]+|\[[^\]]*\])*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$/.exec(text);
  if (!m) throw bad(template, `unsupported filter ?(${text})`);
  const path = parsePath(m[1], template);
  if (!m[2]) return { t: 'filter', path };
  const raw = m[3].trim();
  let value: unknown;
  if (/^'.*'$/.test(raw)) value = raw.slice(1, -1);
  else {
    try {
      value = JSON.parse(raw);
    } catch {
      throw bad(template, `cannot read the value ${raw} in ?(${text})`);
    }
  }
  return { t: 'filter', path, op: m[2], value };
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object') return Object.values(v);
  return [];
}

function recurse(v: unknown, out: unknown[]): void {
  out.push(v);
  for (const c of children(v)) recurse(c, out);
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==': return a === b || String(a) === String(b);
    case '!=': return !(a === b || String(a) === String(b));
    case '<': return Number(a) < Number(b);
    case '>': return Number(a) > Number(b);
    case '<=': return Number(a) <= Number(b);
    case '>=': return Number(a) >= Number(b);
    default: return false;
  }
}

export function evaluate(steps: Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.t === 'field') {
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, step.name)) next.push((v as Record<string, unknown>)[step.name]);
      } else if (step.t === 'all') next.push(...children(v));
      else if (step.t === 'index') {
        if (Array.isArray(v)) {
          const at = step.index < 0 ? v.length + step.index : step.index;
          if (at >= 0 && at < v.length) next.push(v[at]);
        }
      } else if (step.t === 'slice') {
        if (Array.isArray(v)) next.push(...v.slice(step.start, step.end));
      } else if (step.t === 'recursive') {
        const all: unknown[] = [];
        recurse(v, all);
        if (step.name === null) next.push(...all);
        else for (const x of all) if (x !== null && typeof x === 'object' && !Array.isArray(x) && Object.hasOwn(x, step.name)) next.push((x as Record<string, unknown>)[step.name]);
      } else {
        for (const item of Array.isArray(v) ? v : [v]) {
          const found = evaluate(step.path, item);
          if (step.op === undefined ? found.length > 0 : found.some((f) => compare(f, step.op!, step.value))) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}

function unquote(literal: string, template: string): string {
  try {
    return literal.startsWith("'") ? literal.slice(1, -1) : (JSON.parse(literal) as string);
  } catch {
    throw bad(template, `cannot read the text ${literal}`);
  }
}

export function parseTemplate(template: string): Node[] {
  if (template.length > MAX_TEMPLATE) throw new CliError(`the jsonpath template is longer than ${MAX_TEMPLATE} characters`);
  const stack: Node[][] = [[]];
  const ranges: Array<{ steps: Step[] }> = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) { stack.at(-1)!.push({ t: 'text', text: template.slice(i) }); break; }
    if (open > i) stack.at(-1)!.push({ t: 'text', text: template.slice(i, open) });
    const close = closingBrace(template, open);
    const inner = template.slice(open + 1, close).trim();
    i = close + 1;
    if (/^".*"$|^'.*'$/s.test(inner)) stack.at(-1)!.push({ t: 'text', text: unquote(inner, template) });
    else if (inner.startsWith('range ')) {
      if (stack.length > MAX_RANGE_DEPTH) throw bad(template, `more than ${MAX_RANGE_DEPTH} nested ranges`);
      ranges.push({ steps: parsePath(inner.slice(6).trim(), template) });
      stack.push([]);
    } else if (inner === 'end') {
      const range = ranges.pop();
      if (!range) throw bad(template, 'not in range, nothing to end');
      const body = stack.pop()!;
      stack.at(-1)!.push({ t: 'range', steps: range.steps, body });
    } else stack.at(-1)!.push({ t: 'expr', steps: parsePath(inner, template) });
  }
  if (ranges.length) throw bad(template, 'unclosed range (add {end})');
  return stack[0];
}

function closingBrace(template: string, open: number): number {
  let quote: string | null = null;
  for (let i = open + 1; i < template.length; i++) {
    const c = template[i];
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '}') return i;
  }
  throw bad(template, 'unclosed {');
}

/** How one value prints: strings raw, other scalars as themselves, objects and lists as JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function run(nodes: Node[], root: unknown, out: string[]): void {
  for (const n of nodes) {
    if (n.t === 'text') out.push(n.text);
    else if (n.t === 'expr') out.push(evaluate(n.steps, root).map(valueText).join(' '));
    else for (const item of evaluate(n.steps, root)) run(n.body, item, out);
  }
}

export function renderTemplate(nodes: Node[], root: unknown): string {
  const out: string[] = [];
  run(nodes, root, out);
  return out.join('');
}
