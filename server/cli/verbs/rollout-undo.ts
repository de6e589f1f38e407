/** `kq rollout undo deployment/<name> [--to-revision N]`: puts back the pod template of the previous (or the given) revision's ReplicaSet. */
import { CliError } from '../cli-error.js';
import { deploymentKind, mustGetDeployment, revisions, templateOf } from '../deployment-history.js';
import { deepEqual, mergeDiff } from '../json-merge-patch.js';
import { objectRef } from '../kinds.js';
import { patchObject } from '../object-api.js';
import { parseOneObject } from '../resource-args.js';
import { stringFlag, type Verb } from '../verb.js';

export const rolloutUndoVerb: Verb = {
  name: 'rollout undo',
  summary: 'Roll a deployment back to its previous (or a given) revision',
  usage: 'rollout undo deployment/<name> [--to-revision N]',
  flags: { 'to-revision': { type: 'string', help: 'the revision to go back to (default: the one before the current)' } },
  async run(ctx) {
    const kind = deploymentKind();
    const { name } = parseOneObject(ctx.args, 'rollout undo', (k) => k === kind, 'a deployment');
    const toText = stringFlag(ctx, 'to-revision') ?? '0';
    if (!/^\d+$/.test(toText)) throw new CliError(`--to-revision must be a revision number, not "${toText}"`);
    const to = Number(toText);
    const client = ctx.client();
    const deployment = await mustGetDeployment(client, ctx.namespace, name);
    const spec = deployment.spec;
    if (spec.paused) throw new CliError(`you cannot rollback a paused deployment; resume it first with 'kq rollout resume deployment/${name}' and try again`);
    const history = await revisions(client, deployment);
    let target;
    if (to > 0) {
      target = history.find((r) => r.revision === to);
      if (!target) throw new CliError(`unable to find specified revision ${to} in history of deployment "${name}" (kq rollout history deployment/${name} lists them)`);
    } else {
      if (history.length < 2) throw new CliError(`no rollout history found for deployment "${name}"`);
      target = history[history.length - 2];
    }
    const template = templateOf(target.replicaSet);
    const ref = objectRef(kind, name);
    if (deepEqual(spec.template, template)) {
      ctx.stdout.write(`${ref} skipped rollback (current template already matches revision ${target.revision})\n`);
      return;
    }
    await patchObject(client, kind, ctx.namespace, name, { spec: { template: mergeDiff(spec.template, template) } }, deployment.metadata.resourceVersion);
    ctx.stdout.write(`${ref} rolled back\n`);
  },
};
