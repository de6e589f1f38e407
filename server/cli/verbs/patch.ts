/**
 * `kq patch <kind> <name> -p PATCH [--type strategic|merge|json]`, as kubectl patch: the patch is
 * JSON or YAML, given inline or with --patch-file; the type defaults to strategic, as kubectl's.
 */
import { readFileSync } from 'node:fs';
import { yaml } from '../yaml.js';
import { CliError } from '../cli-error.js';
import { objectRef } from '../kinds.js';
import { getObject, patchObject } from '../object-api.js';
import { parseResourceArgs } from '../resource-args.js';
import { stringFlag, type Verb } from '../verb.js';

const TYPES = { strategic: 'STRATEGIC', merge: 'MERGE', json: 'JSON' } as const;

function patchText(text: string, from: string): unknown {
  try {
    return yaml().parse(text);
  } catch (e) {
    throw new CliError(`the patch ${from} is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

export const patchVerb: Verb = {
  name: 'patch',
  summary: 'Update fields of an object with a strategic merge, JSON merge or JSON patch',
  usage: "patch <kind> <name> | <kind>/<name>  -p '{\"spec\":{...}}' | --patch-file FILE  [--type strategic|merge|json]",
  flags: {
    patch: { type: 'string', short: 'p', help: 'the patch, JSON or YAML' },
    'patch-file': { type: 'string', help: 'a file holding the patch' },
    type: { type: 'string', help: 'strategic (the default), merge or json' },
    'resource-version': { type: 'string', help: 'only if the object is at this resourceVersion' },
  },
  async run(ctx) {
    const typeName = stringFlag(ctx, 'type') ?? 'strategic';
    if (!Object.hasOwn(TYPES, typeName)) throw new CliError(`--type must be strategic, merge or json, not "${typeName}"`);
    const type = TYPES[typeName as keyof typeof TYPES];
    const inline = stringFlag(ctx, 'patch');
    const file = stringFlag(ctx, 'patch-file');
    if ((inline === undefined) === (file === undefined)) throw new CliError('give the patch with -p or with --patch-file (one of them)');
    const patch = inline !== undefined ? patchText(inline, 'given with -p') : patchText(readFileSync(file!, 'utf8'), `in ${file}`);
    const selections = parseResourceArgs(ctx.args, 'patch');
    const client = ctx.client();
    for (const { kind, names } of selections) {
      if (!names || names.length === 0) throw new CliError(`name the ${kind.resource} to patch: kq patch ${kind.resource} <name> -p PATCH`);
      for (const name of names) {
        const namespace = kind.namespaced ? ctx.namespace : '';
        const before = await getObject(client, kind, namespace, name);
        const after = await patchObject(client, kind, namespace, name, patch, stringFlag(ctx, 'resource-version'), type);
        const unchanged = before && before.metadata.resourceVersion === after.metadata.resourceVersion;
        ctx.stdout.write(`${objectRef(kind, name)} ${unchanged ? 'patched (no change)' : 'patched'}\n`);
      }
    }
  },
};
