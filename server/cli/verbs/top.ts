/** `kq top nodes`: what the pods bound to each node request (CPU, memory, pod count) against the node's allocatable, as `kubectl describe node` adds it up. */
import { objectClientOf } from '../../client/object-client.js';
import type { Pod } from '../../resources/objects.js';
import { parseQuantity } from '../../resources/quantity.js';
import { SELECTOR } from '../common-flags.js';
import { formatTable } from '../output/table.js';
import { stringFlag, type Verb } from '../verb.js';

type Container = Pod['spec']['containers'][number];

/** A container's request for a resource; a limit alone counts as the request (Kubernetes' defaulting). */
function request(c: Container, resource: string): number {
  const value = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
  return value === undefined ? 0 : (parseQuantity(value) ?? 0);
}

/** The pod's effective request: the larger of its containers' sum and its biggest init container, plus overhead. */
export function podRequest(pod: Pod, resource: string): number {
  const spec = pod.spec;
  const sum = (spec.containers ?? []).reduce((n, c) => n + request(c, resource), 0);
  const init = Math.max(0, ...(spec.initContainers ?? []).map((c) => request(c, resource)));
  const overhead = spec.overhead?.[resource] !== undefined ? (parseQuantity(spec.overhead[resource]) ?? 0) : 0;
  return Math.max(sum, init) + overhead;
}

const percent = (used: number, total: number | undefined) => (total ? `${Math.floor((used / total) * 100)}%` : '<unknown>');

export const topVerb: Verb = {
  name: 'top nodes',
  aliases: ['top node', 'top no'],
  summary: 'Requests of the pods on each node against its allocatable CPU, memory and pods',
  usage: 'top nodes [name] [-l selector]',
  flags: { ...SELECTOR },
  async run(ctx) {
    const client = ctx.client();
    const [nodes, pods] = await Promise.all([
      objectClientOf(client).list('Node', { labelSelector: stringFlag(ctx, 'selector'), fieldSelector: ctx.args[0] ? `metadata.name=${ctx.args[0]}` : undefined }),
      objectClientOf(client).list('Pod'),
    ]);
    const rows = nodes.items.map((node) => {
      const mine = pods.items.filter((p) => {
        const phase = p.status?.phase;
        return p.spec.nodeName === node.metadata.name && phase !== 'Succeeded' && phase !== 'Failed';
      });
      const allocatable = node.status?.allocatable ?? {};
      const total = (r: string) => (allocatable[r] !== undefined ? parseQuantity(allocatable[r]) : undefined);
      const cpu = mine.reduce((n, p) => n + podRequest(p, 'cpu'), 0);
      const memory = mine.reduce((n, p) => n + podRequest(p, 'memory'), 0);
      return [
        node.metadata.name,
        `${Math.round(cpu * 1000)}m`,
        percent(cpu, total('cpu')),
        `${Math.round(memory / 2 ** 20)}Mi`,
        percent(memory, total('memory')),
        `${mine.length}/${total('pods') ?? '<unknown>'}`,
      ];
    });
    if (rows.length === 0) {
      ctx.stderr.write('No resources found\n');
      return;
    }
    ctx.stdout.write(formatTable([['NAME', 'CPU(requests)', 'CPU%', 'MEMORY(requests)', 'MEMORY%', 'PODS'], ...rows]));
  },
};
