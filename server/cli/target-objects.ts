/**
 * The objects a verb such as `label` or `annotate` acts on, as kubectl takes them: named
 * (`pod a b`, `pod/a`), or selected in the namespace with `-l` or `--all`. A named object that
 * does not exist is NotFound.
 */
import type { KObject, KindDef } from '../resources/kind.js';
import { CliError } from './cli-error.js';
import { notFound } from './not-found.js';
import { getObjects, listObjects } from './object-api.js';
import { parseResourceArgs } from './resource-args.js';
import { boolFlag, stringFlag, type CliContext } from './verb.js';

export async function targetObjects(ctx: CliContext, objects: string[], verb: string): Promise<Array<{ kind: KindDef; object: KObject }>> {
  const client = ctx.client();
  const targets: Array<{ kind: KindDef; object: KObject }> = [];
  for (const { kind, names } of parseResourceArgs(objects, verb)) {
    if (names) {
      const found = await getObjects(client, names.map((name) => ({ kind, namespace: ctx.namespace, name })));
      found.forEach((o, i) => {
        if (!o) throw notFound(kind, names[i]);
        targets.push({ kind, object: o });
      });
    } else {
      if (!ctx.flags.selector && !boolFlag(ctx, 'all')) throw new CliError(`name the ${kind.resource} to ${verb}, or select them with -l or --all`);
      const { items } = await listObjects(client, kind, { namespace: kind.namespaced ? ctx.namespace : undefined, labelSelector: stringFlag(ctx, 'selector') });
      targets.push(...items.map((object) => ({ kind, object })));
    }
  }
  return targets;
}
