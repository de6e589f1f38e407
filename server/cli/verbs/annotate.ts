/** `kq annotate <kind> <name> k=v k-`, as kubectl annotate: adds, changes (with --overwrite) and removes annotations with one merge patch per object. */
import { CliError } from '../cli-error.js';
import { SELECTOR } from '../common-flags.js';
import { objectRef } from '../kinds.js';
import { patchObject } from '../object-api.js';
import { targetObjects } from '../target-objects.js';
import { boolFlag, stringFlag, type Verb } from '../verb.js';

/** Bounds a pasted value: Kubernetes caps all of an object's annotations at 256 KiB. */
const MAX_VALUE = 256 * 1024;

function splitArgs(args: string[]) {
  const first = args.findIndex((a, i) => i > 0 && (a.includes('=') || (a.endsWith('-') && !a.includes('/'))));
  if (first < 1) throw new CliError('give the object and at least one change: kq annotate <kind> <name> key=value [key-]');
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const arg of args.slice(first)) {
    const eq = arg.indexOf('=');
    if (eq < 0 && arg.endsWith('-') && arg.length > 1) remove.push(arg.slice(0, -1));
    else if (eq > 0) {
      const value = arg.slice(eq + 1);
      if (value.length > MAX_VALUE) throw new CliError(`the value of "${arg.slice(0, eq)}" is longer than 256 KiB`);
      set[arg.slice(0, eq)] = value;
    } else throw new CliError(`invalid annotation "${arg}": use key=value to set or key- to remove`);
  }
  return { objects: args.slice(0, first), set, remove };
}

export const annotateVerb: Verb = {
  name: 'annotate',
  summary: 'Set and remove annotations (key=value, key-)',
  usage: 'annotate <kind> <name...> | <kind>/<name>... | <kind> -l selector | <kind> --all  key=value... key-... [--overwrite]',
  flags: {
    ...SELECTOR,
    all: { type: 'boolean', help: 'every object of the kind in the namespace' },
    overwrite: { type: 'boolean', help: 'allow changing an annotation that has a value' },
    'resource-version': { type: 'string', help: 'only if the object is at this resourceVersion' },
  },
  async run(ctx) {
    const { objects, set, remove } = splitArgs(ctx.args);
    const client = ctx.client();
    for (const { kind, object } of await targetObjects(ctx, objects, 'annotate')) {
      const current = object.metadata.annotations ?? {};
      const patch: Record<string, string | null> = {};
      for (const [key, value] of Object.entries(set)) {
        if (current[key] === value) continue;
        if (key in current && !boolFlag(ctx, 'overwrite'))
          throw new CliError(`--overwrite is false but found the following declared annotation(s): '${key}' already has a value (${current[key]})`);
        patch[key] = value;
      }
      for (const key of remove) if (key in current) patch[key] = null;
      const ref = objectRef(kind, object.metadata.name);
      if (Object.keys(patch).length === 0) {
        ctx.stdout.write(`${ref} not annotated\n`);
        continue;
      }
      await patchObject(client, kind, object.metadata.namespace ?? '', object.metadata.name, { metadata: { annotations: patch } }, stringFlag(ctx, 'resource-version'));
      ctx.stdout.write(`${ref} annotated\n`);
    }
  },
};
