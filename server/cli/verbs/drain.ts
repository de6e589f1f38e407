/**
 * `kq drain <node>`: cordon, then delete the pods bound to it and wait until they are gone, as
 * kubectl does; pods that no controller owns would not come back, so they are refused unless
 * --force.
 */
import type { KObject } from '../../resources/kind.js';
import { CliError } from '../cli-error.js';
import { TIMEOUT } from '../common-flags.js';
import { parseDuration } from '../duration.js';
import { findKind } from '../kinds.js';
import { deleteObject, getObjects, listObjects } from '../object-api.js';
import { waitUntil } from '../poll.js';
import { boolFlag, stringFlag, type Verb } from '../verb.js';
import { setUnschedulable } from './cordon.js';

const podName = (p: KObject) => `${p.metadata.namespace}/${p.metadata.name}`;

export const drainVerb: Verb = {
  name: 'drain',
  summary: 'Cordon a node and delete its pods (refusing pods no controller owns, unless --force)',
  usage: 'drain <node> [--force] [--grace-period N] [--timeout 5m]',
  flags: {
    force: { type: 'boolean', help: 'also delete pods that no controller owns (they will not come back)' },
    'grace-period': { type: 'string', help: 'seconds each pod gets to stop (default: its own; 0: at once)' },
    'ignore-daemonsets': { type: 'boolean', help: 'accepted for kubectl\'s sake (Kubeql has no DaemonSets)' },
    'delete-emptydir-data': { type: 'boolean', help: 'accepted for kubectl\'s sake' },
    ...TIMEOUT,
  },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new CliError('name one node: kq drain <node>');
    const [node] = ctx.args;
    const grace = stringFlag(ctx, 'grace-period');
    if (grace !== undefined && !/^-?\d+$/.test(grace)) throw new CliError(`invalid --grace-period "${grace}": a whole number of seconds`);
    const timeout = parseDuration(stringFlag(ctx, 'timeout') ?? '0s', 'timeout');
    const podKind = findKind('Pod')!;
    const client = ctx.client();

    ctx.stdout.write(`${await setUnschedulable(ctx, node, true)}\n`);
    const { items } = await listObjects(client, podKind, { fieldSelector: `spec.nodeName=${node}` });
    const unmanaged = items.filter((p) => !p.metadata.ownerReferences?.some((r) => r.controller));
    if (unmanaged.length && !boolFlag(ctx, 'force'))
      throw new CliError(`unable to drain node "${node}" due to error: cannot delete Pods that declare no controller (use --force to override): ${unmanaged.map(podName).join(', ')}`);
    if (unmanaged.length) ctx.stderr.write(`Warning: deleting Pods that declare no controller: ${unmanaged.map(podName).join(', ')}\n`);

    const gracePeriodSeconds = grace === undefined || Number(grace) < 0 ? undefined : Number(grace);
    const deleted: Array<{ kind: typeof podKind; namespace: string; name: string; uid: string }> = [];
    for (const pod of items) {
      ctx.stdout.write(`evicting pod ${podName(pod)}\n`);
      const last = await deleteObject(client, podKind, pod.metadata.namespace!, pod.metadata.name, { gracePeriodSeconds }).catch((e) => {
        if ((e as { code?: string }).code === 'NOT_FOUND') return null;
        throw e;
      });
      if (last) deleted.push({ kind: podKind, namespace: pod.metadata.namespace!, name: pod.metadata.name, uid: last.metadata.uid });
    }
    await waitUntil(
      async () => (await getObjects(client, deleted)).every((p, i) => !p || p.metadata.uid !== deleted[i].uid),
      timeout,
      `the pods of node "${node}" to go (their node agent removes them after their grace period; --grace-period=0 removes them at once)`,
    );
    for (const pod of items) ctx.stdout.write(`pod/${pod.metadata.name} evicted\n`);
    ctx.stdout.write(`node/${node} drained\n`);
  },
};
