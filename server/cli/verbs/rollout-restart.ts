/** `kq rollout restart deployment/<name>`: a new rollout of the same template, by stamping `kubectl.kubernetes.io/restartedAt` on it. */
import { deploymentKind } from '../deployment-history.js';
import { objectRef } from '../kinds.js';
import { patchObject } from '../object-api.js';
import { parseOneObject } from '../resource-args.js';
import type { Verb } from '../verb.js';

export const rolloutRestartVerb: Verb = {
  name: 'rollout restart',
  summary: 'Restart a deployment\'s pods through a new rollout',
  usage: 'rollout restart deployment/<name>',
  flags: {},
  async run(ctx) {
    const kind = deploymentKind();
    const { name } = parseOneObject(ctx.args, 'rollout restart', (k) => k === kind, 'a deployment');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await patchObject(ctx.client(), kind, ctx.namespace, name, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now } } } } });
    ctx.stdout.write(`${objectRef(kind, name)} restarted\n`);
  },
};
