/** `kq label <kind> <name> k=v k-`: adds, changes (with --overwrite) and removes labels with one merge patch per object. */
import { CliError } from '../cli-error.js';
import { objectRef } from '../kinds.js';
import { patchObject } from '../object-api.js';
import { targetObjects } from '../target-objects.js';
import { SELECTOR } from '../common-flags.js';
import { boolFlag, stringFlag, type Verb } from '../verb.js';

interface LabelChanges {
  set: Record<string, string>;
  remove: string[];
}

/** Splits the arguments into objects and `key=value` / `key-` changes (kubectl takes the changes last). */
function splitArgs(args: string[]): { objects: string[]; changes: LabelChanges } {
  const first = args.findIndex((a) => /=/.test(a) || (/-$/.test(a) && !a.includes('/')));
  if (first < 1) throw new CliError('give the object and at least one change: kq label <kind> <name> key=value [key-]');
  const changes: LabelChanges = { set: {}, remove: [] };
  for (const arg of args.slice(first)) {
    if (arg.endsWith('-') && !arg.includes('=')) changes.remove.push(arg.slice(0, -1));
    else if (arg.includes('=')) {
      const [key, ...value] = arg.split('=');
      if (!key) throw new CliError(`invalid label "${arg}": key=value`);
      changes.set[key] = value.join('=');
    } else throw new CliError(`invalid label "${arg}": use key=value to set or key- to remove`);
  }
  return { objects: args.slice(0, first), changes };
}

export const labelVerb: Verb = {
  name: 'label',
  summary: 'Set and remove labels (key=value, key-)',
  usage: 'label <kind> <name...> | <kind>/<name>... | <kind> -l selector | <kind> --all  key=value... key-... [--overwrite]',
  flags: {
    ...SELECTOR,
    all: { type: 'boolean', help: 'every object of the kind in the namespace' },
    overwrite: { type: 'boolean', help: 'allow changing a label that has a value' },
    'resource-version': { type: 'string', help: 'only if the object is at this resourceVersion' },
  },
  async run(ctx) {
    const { objects, changes } = splitArgs(ctx.args);
    const client = ctx.client();
    for (const { kind, object } of await targetObjects(ctx, objects, 'label')) {
      const labels = object.metadata.labels ?? {};
      const patch: Record<string, string | null> = {};
      for (const [key, value] of Object.entries(changes.set)) {
        if (labels[key] === value) continue;
        if (key in labels && !boolFlag(ctx, 'overwrite'))
          throw new CliError(`'${key}' already has a value (${labels[key]}), and --overwrite is false (${objectRef(kind, object.metadata.name)})`);
        patch[key] = value;
      }
      for (const key of changes.remove) if (key in labels) patch[key] = null;
      const ref = objectRef(kind, object.metadata.name);
      if (Object.keys(patch).length === 0) {
        ctx.stdout.write(`${ref} not labeled\n`);
        continue;
      }
      await patchObject(client, kind, object.metadata.namespace ?? '', object.metadata.name, { metadata: { labels: patch } }, stringFlag(ctx, 'resource-version'));
      const onlyRemoved = Object.values(patch).every((v) => v === null);
      ctx.stdout.write(`${ref} ${onlyRemoved ? 'unlabeled' : 'labeled'}\n`);
    }
  },
};
