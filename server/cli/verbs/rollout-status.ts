/** `kq rollout status deployment|daemonset|statefulset/<name>`: follows the object through the `watch` subscription until its rollout is done, with kubectl's messages (rollout-viewers.ts). */
import { CliError } from '../cli-error.js';
import { TIMEOUT } from '../common-flags.js';
import { parseDuration } from '../duration.js';
import { parseOneObject } from '../resource-args.js';
import { rolloutViewer } from '../rollout-viewers.js';
import { boolFlag, stringFlag, type Verb } from '../verb.js';
import { watchObjects } from '../watch-objects.js';
import { notFound } from '../not-found.js';

export const rolloutStatusVerb: Verb = {
  name: 'rollout status',
  summary: 'Wait for a deployment\'s, daemon set\'s or statefulset\'s rollout to finish',
  usage: 'rollout status deployment|daemonset|statefulset/<name> [--timeout 5m] [--watch=false]',
  flags: { ...TIMEOUT, watch: { type: 'boolean', short: 'w', help: 'wait for the rollout to finish (default true)' } },
  async run(ctx) {
    const { kind, name } = parseOneObject(ctx.args, 'rollout status', (k) => rolloutViewer(k.kind) !== undefined, 'a deployment, daemon set or statefulset');
    const { view, noun } = rolloutViewer(kind.kind)!;
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
        if (e.type === 'DELETED') throw new CliError(`${noun} "${name}" was deleted`);
        seen = true;
        const { message, done } = view(e.object!);
        if (message !== last) ctx.stdout.write(`${message}\n`);
        last = message;
        if (done || !follow) w.stop();
      } catch (err) {
        failure = err;
        w.stop();
      }
    });
    const timer = timeout > 0 ? setTimeout(() => ((failure = new CliError(`timed out waiting for the rollout of ${noun} "${name}" (--timeout ${stringFlag(ctx, 'timeout')})`)), w.stop()), timeout) : undefined;
    try {
      await w.done;
    } finally {
      clearTimeout(timer);
    }
    if (failure) throw failure;
  },
};
