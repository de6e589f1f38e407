/**
 * `kq expose <kind> <name> --port=P`, as kubectl expose: a Service selecting what the object
 * selects (a Deployment's or ReplicaSet's matchLabels, a pod's labels, a service's selector),
 * named after it unless --name; the port defaults to the first container port.
 */
import type { KObject } from '../../resources/kind.js';
import { isKind, type PodSpec } from '../../resources/objects.js';
import { CliError } from '../cli-error.js';
import { resolveKind } from '../kinds.js';
import { notFound } from '../not-found.js';
import { createObject, getObject } from '../object-api.js';
import { parseOneObject } from '../resource-args.js';
import { stringFlag, type Verb } from '../verb.js';
import { parseLabels, parsePort } from './workload-flags.js';

const TYPES = new Set(['ClusterIP', 'NodePort', 'LoadBalancer']);
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

function selectorOf(o: KObject): Record<string, string> {
  if (isKind(o, 'Pod')) return { ...(o.metadata.labels ?? {}) };
  if (isKind(o, 'Service')) return { ...(o.spec.selector ?? {}) };
  const selector = isKind(o, 'Deployment') || isKind(o, 'ReplicaSet') || isKind(o, 'StatefulSet') || isKind(o, 'DaemonSet') ? o.spec.selector : isKind(o, 'Job') ? (o.spec.selector ?? {}) : {};
  if (selector.matchExpressions?.length) throw new CliError(`couldn't retrieve selectors via --selector flag or introspection: the ${o.kind} selects with matchExpressions, which a Service cannot; give --selector`);
  return { ...(selector.matchLabels ?? {}) };
}

function podSpecOf(o: KObject): PodSpec | undefined {
  if (isKind(o, 'Pod')) return o.spec;
  if (isKind(o, 'Deployment') || isKind(o, 'ReplicaSet') || isKind(o, 'StatefulSet') || isKind(o, 'DaemonSet') || isKind(o, 'Job')) return o.spec.template.spec;
  return undefined;
}

export const exposeVerb: Verb = {
  name: 'expose',
  summary: 'Expose a deployment, replica set, pod or service as a new Service',
  usage: 'expose <kind> <name> | <kind>/<name> [--port=P] [--target-port=T] [--type=ClusterIP|NodePort|LoadBalancer] [--name=N] [--protocol=TCP]',
  flags: {
    port: { type: 'string', help: 'the port the service serves on (default: the first container port)' },
    'target-port': { type: 'string', help: 'the port on the pods (a number or a port name; default: --port)' },
    type: { type: 'string', help: 'ClusterIP (default), NodePort or LoadBalancer' },
    name: { type: 'string', help: 'the service name (default: the object name)' },
    protocol: { type: 'string', help: 'TCP (default), UDP or SCTP' },
    selector: { type: 'string', short: 'l', help: 'the selector, k=v,... (default: the object’s)' },
  },
  async run(ctx) {
    const { kind, name } = parseOneObject(ctx.args, 'expose', (k) => ['Deployment', 'ReplicaSet', 'Pod', 'Service'].includes(k.kind), 'a deployment, replica set, pod or service');
    const client = ctx.client();
    const object = await getObject(client, kind, ctx.namespace, name);
    if (!object) throw notFound(kind, name);
    const type = stringFlag(ctx, 'type') ?? 'ClusterIP';
    if (!TYPES.has(type)) throw new CliError(`--type must be ClusterIP, NodePort or LoadBalancer, not "${type}"`);
    const protocol = stringFlag(ctx, 'protocol') ?? 'TCP';
    if (!PROTOCOLS.has(protocol)) throw new CliError(`--protocol must be TCP, UDP or SCTP, not "${protocol}"`);
    const selectorText = stringFlag(ctx, 'selector');
    const selector = selectorText !== undefined ? parseLabels(selectorText, '--selector') : selectorOf(object);
    if (Object.keys(selector).length === 0) throw new CliError(`couldn't find a selector for ${kind.resource} "${name}": give --selector`);
    const portText = stringFlag(ctx, 'port');
    let port: number;
    if (portText !== undefined) port = parsePort(portText, '--port');
    else {
      const first = (podSpecOf(object)?.containers ?? []).flatMap((c) => c.ports ?? [])[0];
      if (!first?.containerPort) throw new CliError(`couldn't find a port via --port flag or introspection: give --port`);
      port = first.containerPort;
    }
    const target = stringFlag(ctx, 'target-port');
    const targetPort = target === undefined ? port : /^\d+$/.test(target) ? parsePort(target, '--target-port') : target;
    const serviceName = stringFlag(ctx, 'name') ?? name;
    const service = resolveKind('Service');
    await createObject(client, service, {
      metadata: { name: serviceName, namespace: ctx.namespace, ...(object.metadata.labels ? { labels: object.metadata.labels } : {}) },
      spec: { type, selector, ports: [{ port, targetPort, protocol }] },
    });
    ctx.stdout.write(`service/${serviceName} exposed\n`);
  },
};
