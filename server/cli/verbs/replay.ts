/**
 * `kq replay --verify`: rebuild the projections from the log and compare digests (DESIGN §7
 * "Replay"). Online through the admin mutation `replay(verify)`; with --data-dir, offline through
 * `npm run replay` (without --verify that rebuilds in place, with the server stopped). The
 * result's fields are read from the schema, so kq prints whatever the server reports.
 */
import type { KubeqlClient } from '../../client/client.js';
import { CliError } from '../cli-error.js';
import { dataDirOf, runMaintenance } from '../maintenance.js';
import { createProgress } from '../progress.js';
import { boolFlag, stringFlag, type Verb } from '../verb.js';

type TypeRef = { kind: string; name: string | null; ofType: TypeRef | null };
const named = (t: TypeRef): TypeRef => (t.ofType ? named(t.ofType) : t);
const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

type Field = { name: string; args: unknown[]; type: TypeRef };

async function fieldsOf(client: KubeqlClient, typeName: string): Promise<Field[]> {
  const { __type } = await client.request(`query($name: String!) { __type(name: $name) { fields { name args { name } type { ${TYPE_REF} } } } }`, { name: typeName });
  return (__type?.fields ?? []).filter((f: Field) => f.args.length === 0);
}

/** A selection of a type's fields: its scalars, and the scalars of the objects it holds (one level down). */
async function selection(client: KubeqlClient, typeName: string, depth: number): Promise<string> {
  const parts: string[] = [];
  for (const f of await fieldsOf(client, typeName)) {
    const t = named(f.type);
    if (t.kind === 'SCALAR' || t.kind === 'ENUM') parts.push(f.name);
    else if (t.kind === 'OBJECT' && depth > 0 && t.name) {
      const inner = await selection(client, t.name, depth - 1);
      if (inner) parts.push(`${f.name} ${inner}`);
    }
  }
  return parts.length ? `{ ${parts.join(' ')} }` : '';
}

/** The replay mutation's arguments and a selection of its result, or undefined if the server has none. */
async function replayShape(client: KubeqlClient): Promise<{ args: string[]; selection: string } | undefined> {
  const { __schema } = await client.request(`{ __schema { mutationType { fields { name args { name } type { ${TYPE_REF} } } } } }`);
  const field = (__schema.mutationType?.fields ?? []).find((f: { name: string }) => f.name === 'replay');
  if (!field) return undefined;
  const result = named(field.type);
  return {
    args: field.args.map((a: { name: string }) => a.name),
    selection: result.kind === 'OBJECT' && result.name ? await selection(client, result.name, 1) : '',
  };
}

const scalar = (v: unknown) => (v === null || v === undefined ? '<none>' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** `key: value`; an object's fields indented under its key; a list of objects one item a line. */
function resultLines(key: string, value: unknown): string {
  if (Array.isArray(value)) return `${key}:\n${value.map((item) => `  - ${item && typeof item === 'object' ? Object.entries(item).map(([k, v]) => `${k}: ${scalar(v)}`).join(', ') : scalar(item)}\n`).join('')}`;
  if (value && typeof value === 'object') return `${key}:\n${Object.entries(value).map(([k, v]) => `  ${k}: ${scalar(v)}\n`).join('')}`;
  return `${key}: ${scalar(value)}\n`;
}

/** A false verdict (`match: false`, `ok: false`, ...) means the projections differ from the log. */
const VERDICT = /^(match|matches|matched|ok|verified|equal|consistent|identical)$/i;

export const replayVerb: Verb = {
  name: 'replay',
  summary: 'Rebuild the projections from the event log and compare digests (--verify), online or on a data directory',
  usage: 'replay --verify [--data-dir DIR] | replay [--data-dir DIR]  (without --verify: rebuild the projections that differ)',
  flags: {
    verify: { type: 'boolean', help: 'compare only: rebuild aside, print the digests, exit 1 on a difference (without it, differing projections are replaced)' },
    'data-dir': { type: 'string', help: 'work offline on this DATA_DIR (npm run replay) instead of asking the server' },
  },
  async run(ctx) {
    const verify = boolFlag(ctx, 'verify');
    const dataDir = stringFlag(ctx, 'data-dir');
    if (dataDir !== undefined) return runMaintenance('replay', verify ? ['--verify'] : [], dataDirOf(dataDir));
    const client = ctx.client();
    const shape = await replayShape(client);
    if (!shape) throw new CliError('this API server has no replay mutation; check its data directory offline instead: kq replay --verify --data-dir <DATA_DIR>');
    const args = shape.args.includes('verify') ? `(verify: ${verify})` : '';
    if (!verify && !args) throw new CliError('this API server replays only to verify: use kq replay --verify, or kq replay --data-dir <DATA_DIR> with the server stopped');
    const progress = createProgress();
    let result: unknown;
    try {
      progress.update('replaying the log');
      ({ replay: result } = await client.request(`mutation { replay${args} ${shape.selection} }`));
    } finally {
      progress.done();
    }
    const entries = result !== null && typeof result === 'object' ? Object.entries(result) : [['result', result]];
    for (const [key, value] of entries) ctx.stdout.write(resultLines(String(key), value));
    const failed = entries.find(([key, value]) => VERDICT.test(String(key)) && value === false);
    if (failed) throw new CliError(`the projections rebuilt from the log differ from the server's (${failed[0]}: false)`);
  },
};
