/** `kq logs` and `kq exec`: simulated containers run no process, so there is nothing to read or enter; they say so (after checking the pod exists). */
import { CliError } from '../cli-error.js';
import { resolveKind } from '../kinds.js';
import { notFound } from '../not-found.js';
import { getObject } from '../object-api.js';
import type { CliContext, Verb } from '../verb.js';

async function explain(ctx: CliContext, verb: string, what: string): Promise<never> {
  const target = ctx.args.find((a) => !a.startsWith('-') && a !== '--');
  if (!target) throw new CliError(`name a pod: kq ${verb} <pod>`);
  const slash = target.indexOf('/');
  const kind = resolveKind(slash > 0 ? target.slice(0, slash) : 'pod');
  const name = slash > 0 ? target.slice(slash + 1) : target;
  if (kind.kind === 'Pod' && !(await getObject(ctx.client(), kind, ctx.namespace, name))) throw notFound(kind, name);
  throw new CliError(`${what}: Kubeql's nodes are simulated and their containers run no process (kq describe ${kind.resource === 'pods' ? 'pod' : kind.resource}/${name} shows the container states, kq history ${kind.kind.toLowerCase()}/${name} every change)`);
}

export const logsVerb: Verb = {
  name: 'logs',
  summary: 'Container logs (simulated containers have none)',
  usage: 'logs <pod> [-c container]',
  flags: { container: { type: 'string', short: 'c', help: 'the container' }, follow: { type: 'boolean', short: 'f', help: 'follow' } },
  run: (ctx) => explain(ctx, 'logs', 'no logs'),
};

export const execVerb: Verb = {
  name: 'exec',
  summary: 'Run a command in a container (simulated containers have no process)',
  usage: 'exec <pod> [-c container] -- COMMAND',
  flags: {
    container: { type: 'string', short: 'c', help: 'the container' },
    stdin: { type: 'boolean', short: 'i', help: 'pass stdin' },
    tty: { type: 'boolean', short: 't', help: 'a terminal' },
  },
  run: (ctx) => explain(ctx, 'exec', 'cannot exec'),
};
