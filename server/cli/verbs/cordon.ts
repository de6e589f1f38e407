/** `kq cordon <node>` and `kq uncordon <node>`: set or clear `spec.unschedulable`, as kubectl does, saying when there was nothing to do. */
import { objectClientOf } from '../../client/object-client.js';
import type { KindDef } from '../../resources/kind.js';
import { CliError } from '../cli-error.js';
import { SELECTOR } from '../common-flags.js';
import { findKind, objectRef } from '../kinds.js';
import { notFound } from '../not-found.js';
import { listObjects, patchObject } from '../object-api.js';
import { stringFlag, type CliContext, type Verb } from '../verb.js';

export function nodeKind(): KindDef {
  const kind = findKind('Node');
  if (!kind) throw new CliError('this build of kq has no Node kind');
  return kind;
}

/** Sets spec.unschedulable on one node; returns what kubectl prints. */
export async function setUnschedulable(ctx: CliContext, name: string, unschedulable: boolean): Promise<string> {
  const kind = nodeKind();
  const node = await objectClientOf(ctx.client()).get('Node', { name });
  if (!node) throw notFound(kind, name);
  const now = Boolean(node.spec?.unschedulable);
  const word = unschedulable ? 'cordoned' : 'uncordoned';
  if (now === unschedulable) return `${objectRef(kind, name)} already ${word}`;
  await patchObject(ctx.client(), kind, '', name, { spec: { unschedulable: unschedulable ? true : null } }, node.metadata.resourceVersion);
  return `${objectRef(kind, name)} ${word}`;
}

function schedulingVerb(unschedulable: boolean): Verb {
  const name = unschedulable ? 'cordon' : 'uncordon';
  return {
    name,
    summary: unschedulable ? 'Mark nodes unschedulable (spec.unschedulable)' : 'Mark nodes schedulable again',
    usage: `${name} <node...> | ${name} -l selector`,
    flags: { ...SELECTOR },
    async run(ctx) {
      let names = ctx.args;
      if (stringFlag(ctx, 'selector')) {
        const { items } = await listObjects(ctx.client(), nodeKind(), { labelSelector: stringFlag(ctx, 'selector') });
        names = [...names, ...items.map((n) => n.metadata.name)];
      }
      if (names.length === 0) throw new CliError(`name the node: kq ${name} <node>`);
      for (const node of names) ctx.stdout.write(`${await setUnschedulable(ctx, node, unschedulable)}\n`);
    },
  };
}

export const cordonVerb = schedulingVerb(true);
export const uncordonVerb = schedulingVerb(false);
