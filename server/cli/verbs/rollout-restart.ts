/** `kq rollout restart deployment|daemonset|statefulset/<name>`: a new rollout of the same template, by stamping `kubectl.kubernetes.io/restartedAt` on it. */
import { rolloutViewer } from '../rollout-viewers.js';
import { objectRef } from '../kinds.js';
import { patchObject } from '../object-api.js';
import { parseOneObject } from '../resource-args.js';
import type { Verb } from '../verb.js';

export const rolloutRestartVerb: Verb = {
  name: 'rollout restart',
  summary: 'Restart a deployment\'s, daemon set\'s or statefulset\'s pods through a new rollout',
  usage: 'rollout restart deployment|daemonset|statefulset/<name>',
  flags: {},
  async run(ctx) {
    const { kind, name } = parseOneObject(ctx.args, 'rollout restart', (k) => rolloutViewer(k.kind) !== undefined, 'a deployment, daemon set or statefulset');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await patchObject(ctx.client(), kind, ctx.namespace, name, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now } } } } });
    ctx.stdout.write(`${objectRef(kind, name)} restarted\n`);
  },
};
