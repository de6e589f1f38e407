/** `kq scale <kind>/<name> --replicas N`: the scale subresource of ReplicaSets and Deployments (scaleReplicaSet, scaleDeployment). */
import { replicasOf } from '../../resources/scale-replicas.js';
import { CliError } from '../cli-error.js';
import { objectRef } from '../kinds.js';
import { getObject, scaleObject } from '../object-api.js';
import { parseResourceArgs } from '../resource-args.js';
import { stringFlag, type Verb } from '../verb.js';
import { notFound } from '../not-found.js';

function count(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new CliError(`--${flag} must be a whole number of replicas, not "${text}"`);
  return n;
}

export const scaleVerb: Verb = {
  name: 'scale',
  summary: 'Set the replica count of deployments and replica sets',
  usage: 'scale <kind>/<name>... | <kind> <name...> --replicas N [--current-replicas M]',
  flags: {
    replicas: { type: 'string', help: 'the new replica count' },
    'current-replicas': { type: 'string', help: 'only if the count is this now' },
    'resource-version': { type: 'string', help: 'only if the object is at this resourceVersion' },
  },
  async run(ctx) {
    const replicas = count(stringFlag(ctx, 'replicas'), 'replicas');
    if (replicas === undefined) throw new CliError('--replicas=COUNT is required (kq scale deployment/<name> --replicas 3)');
    const current = count(stringFlag(ctx, 'current-replicas'), 'current-replicas');
    const selections = parseResourceArgs(ctx.args, 'scale');
    const client = ctx.client();
    for (const { kind, names } of selections) {
      if (!kind.scale) throw new CliError(`${kind.resource} cannot be scaled: kq scale works on ${['deployments', 'replicasets'].join(' and ')}`);
      if (!names) throw new CliError(`name the ${kind.resource} to scale: kq scale ${kind.resource} <name> --replicas ${replicas}`);
      for (const name of names) {
        let rv = stringFlag(ctx, 'resource-version');
        if (current !== undefined) {
          const live = await getObject(client, kind, ctx.namespace, name);
          if (!live) throw notFound(kind, name);
          const now = replicasOf(kind, live) ?? 1;
          if (now !== current) throw new CliError(`Expected replicas to be ${current}, was ${now} (${objectRef(kind, name)})`);
          rv ??= live.metadata.resourceVersion;
        }
        await scaleObject(client, kind, ctx.namespace, name, replicas, rv);
        ctx.stdout.write(`${objectRef(kind, name)} scaled\n`);
      }
    }
  },
};
