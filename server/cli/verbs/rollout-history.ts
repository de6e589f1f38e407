/** `kq rollout history deployment/<name> [--revision N]`: the revisions its ReplicaSets record, or one revision's pod template. */
import { CliError } from '../cli-error.js';
import { CHANGE_CAUSE_ANNOTATION, deploymentKind, mustGetDeployment, revisions, templateOf } from '../deployment-history.js';
import { objectRef } from '../kinds.js';
import { formatTable } from '../output/table.js';
import { toYaml } from '../output/formats.js';
import { parseOneObject } from '../resource-args.js';
import { stringFlag, type Verb } from '../verb.js';

export const rolloutHistoryVerb: Verb = {
  name: 'rollout history',
  summary: 'List a deployment\'s revisions',
  usage: 'rollout history deployment/<name> [--revision N]',
  flags: { revision: { type: 'string', help: 'show this revision\'s pod template' } },
  async run(ctx) {
    const kind = deploymentKind();
    const { name } = parseOneObject(ctx.args, 'rollout history', (k) => k === kind, 'a deployment');
    const history = await revisions(ctx.client(), await mustGetDeployment(ctx.client(), ctx.namespace, name));
    const wanted = stringFlag(ctx, 'revision');
    if (wanted !== undefined) {
      const one = history.find((r) => String(r.revision) === wanted);
      if (!one) throw new CliError(`unable to find the specified revision ${wanted} of deployment "${name}"`);
      ctx.stdout.write(`${objectRef(kind, name)} with revision #${one.revision}\nPod Template:\n${toYaml(templateOf(one.replicaSet)).replace(/^/gm, '  ')}`);
      return;
    }
    const rows = history.map((r) => [String(r.revision), r.replicaSet.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? '<none>']);
    ctx.stdout.write(`${objectRef(kind, name)}\n${formatTable([['REVISION', 'CHANGE-CAUSE'], ...rows])}\n`);
  },
};
