/** `kq explain <kind>[.field.path] [--recursive]`, as kubectl explain: a field's type and description, and its fields, read from the registry's shapes. */
import type { Field, ObjectShape, Shape } from '../../resources/shape.js';
import { CliError } from '../cli-error.js';
import { resolveKind } from '../kinds.js';
import { boolFlag, type Verb } from '../verb.js';

const MAX_DEPTH = 12;

function typeName(shape: Shape): string {
  switch (shape.t) {
    case 'string':
    case 'dateTime':
      return 'string';
    case 'int':
      return 'integer';
    case 'bool':
      return 'boolean';
    case 'json':
      return 'Object';
    case 'stringMap':
      return 'map[string]string';
    case 'intOrString':
      return 'IntOrString';
    case 'array':
      return `[]${typeName(shape.of)}`;
    case 'object':
      return shape.name;
  }
}

const objectOf = (shape: Shape): ObjectShape | undefined => (shape.t === 'object' ? shape : shape.t === 'array' ? objectOf(shape.of) : undefined);

const fieldLine = (name: string, f: Field) => `${name}\t<${typeName(f.shape)}>${f.required ? ' -required-' : ''}`;

function extraText(shape: Shape): string | undefined {
  if (shape.t === 'string' && shape.enum) return `Possible enum values:\n${shape.enum.map((v) => `- \`"${v}"\``).join('\n')}`;
  if (shape.t === 'int' && (shape.min !== undefined || shape.max !== undefined)) return `Between ${shape.min ?? '-∞'} and ${shape.max ?? '∞'}.`;
  return undefined;
}

const indent = (text: string, by: number) => text.split('\n').map((l) => `${' '.repeat(by)}${l}`).join('\n');

function fieldsBlock(shape: ObjectShape, recursive: boolean, depth = 1): string[] {
  const out: string[] = [];
  for (const [name, f] of Object.entries(shape.fields)) {
    out.push(indent(fieldLine(name, f), depth * 2));
    if (recursive) {
      const inner = objectOf(f.shape);
      if (inner && depth < MAX_DEPTH) out.push(...fieldsBlock(inner, true, depth + 1));
    } else {
      const text = [f.description, extraText(f.shape)].filter(Boolean).join('\n\n');
      if (text) out.push(indent(text, depth * 2 + 2));
      out.push('');
    }
  }
  return out;
}

export const explainVerb: Verb = {
  name: 'explain',
  summary: 'The fields of a kind, or of a field within it',
  usage: 'explain <kind>[.field[.field...]] [--recursive]',
  flags: { recursive: { type: 'boolean', help: 'every field below, by name and type' } },
  async run(ctx) {
    const [spec, ...more] = ctx.args;
    if (!spec || more.length) throw new CliError('name a kind, optionally with a field path: kq explain pods.spec.containers');
    if (spec.length > 512) throw new CliError('the field path is longer than 512 characters');
    const [kindName, ...path] = spec.split('.');
    const kind = resolveKind(kindName);
    const root: ObjectShape = {
      t: 'object',
      name: kind.kind,
      fields: {
        apiVersion: { shape: { t: 'string' }, description: 'The versioned schema of this representation of an object.' },
        kind: { shape: { t: 'string' }, description: 'The REST resource this object represents.' },
        metadata: { shape: { t: 'object', name: 'ObjectMeta', fields: {} }, description: "Standard object's metadata." },
        ...kind.body,
        ...(kind.status ? { status: { shape: kind.status, description: 'Most recently observed status, written by the system.' } } : {}),
      },
    };
    let field: Field | undefined;
    let at: ObjectShape | undefined = root;
    const walked: string[] = [];
    for (const name of path) {
      if (!at || !Object.hasOwn(at.fields, name)) throw new CliError(`field "${name}" does not exist${walked.length ? ` in ${kind.resource}.${walked.join('.')}` : ` in ${kind.resource}`}`);
      field = at.fields[name];
      walked.push(name);
      at = objectOf(field.shape);
    }
    const lines = [`KIND:       ${kind.kind}`, `VERSION:    ${kind.apiVersion}`, ''];
    if (field) {
      lines.push(`FIELD: ${walked.at(-1)} <${typeName(field.shape)}>`, '');
      const text = [field.description, extraText(field.shape)].filter(Boolean).join('\n\n');
      lines.push('DESCRIPTION:', indent(text || '<empty>', 4), '');
    } else lines.push('DESCRIPTION:', indent(`${kind.kind}, served by Kubeql as Kubernetes' ${kind.apiVersion} ${kind.kind}.`, 4), '');
    if (at && Object.keys(at.fields).length) lines.push('FIELDS:', ...fieldsBlock(at, boolFlag(ctx, 'recursive')));
    ctx.stdout.write(`${lines.join('\n').trimEnd()}\n\n`);
  },
};
