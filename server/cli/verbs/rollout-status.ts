/** `kq rollout status deployment/<name>`: follows the Deployment through the `watch` subscription until its rollout is done, with kubectl's messages. */
import type { KObject } from '../../resources/kind.js';
import { CliError } from '../cli-error.js';
import { TIMEOUT } from '../common-flags.js';
import { deploymentKind } from '../deployment-history.js';
import { parseDuration } from '../duration.js';
import { parseOneObject } from '../resource-args.js';
import { boolFlag, stringFlag, type Verb } from '../verb.js';
import { watchObjects } from '../watch-objects.js';
import { notFound } from '../not-found.js';

/** kubectl's DeploymentStatusViewer: the message, and whether the rollout is done. */
export function rolloutStatus(d: KObject): { message: string; done: boolean } {
  const name = d.metadata.name;
  const spec = (d.spec ?? {}) as { replicas?: number };
  const s = (d.status ?? {}) as { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number; conditions?: Array<{ type: string; reason?: string }> };
  if (d.metadata.generation > (s.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  if (s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) throw new CliError(`deployment "${name}" exceeded its progress deadline`);
  const [replicas, updated, total, available] = [spec.replicas ?? 1, s.updatedReplicas ?? 0, s.replicas ?? 0, s.availableReplicas ?? 0];
  if (updated < replicas) return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`, done: false };
  if (total > updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`, done: false };
  if (available < updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`, done: false };
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

export const rolloutStatusVerb: Verb = {
  name: 'rollout status',
  summary: 'Wait for a deployment\'s rollout to finish',
  usage: 'rollout status deployment/<name> [--timeout 5m] [--watch=false]',
  flags: { ...TIMEOUT, watch: { type: 'boolean', short: 'w', help: 'wait for the rollout to finish (default true)' } },
  async run(ctx) {
    const kind = deploymentKind();
    const { name } = parseOneObject(ctx.args, 'rollout status', (k) => k === kind, 'a deployment');
    const timeout = parseDuration(stringFlag(ctx, 'timeout') ?? '0s', 'timeout');
    const follow = boolFlag(ctx, 'watch', true);
    let last = '';
    let seen = false;
    let failure: unknown;
    const w = watchObjects(ctx.client(), kind, { namespace: ctx.namespace, fieldSelector: `metadata.name=${name}` }, (e) => {
      try {
        if (e.type === 'BOOKMARK') {
          if (!seen) throw notFound(kind, name);
          return;
        }
        if (e.type === 'DELETED') throw new CliError(`deployment "${name}" was deleted`);
        seen = true;
        const { message, done } = rolloutStatus(e.object!);
        if (message !== last) ctx.stdout.write(`${message}\n`);
        last = message;
        if (done || !follow) w.stop();
      } catch (err) {
        failure = err;
        w.stop();
      }
    });
    const timer = timeout > 0 ? setTimeout(() => ((failure = new CliError(`timed out waiting for the rollout of deployment "${name}" (--timeout ${stringFlag(ctx, 'timeout')})`)), w.stop()), timeout) : undefined;
    try {
      await w.done;
    } finally {
      clearTimeout(timer);
    }
    if (failure) throw failure;
  },
};
