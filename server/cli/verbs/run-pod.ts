/** `kq run NAME --image=IMAGE`, as kubectl run: one pod labelled run=NAME, its one container named NAME. */
import { CliError } from '../cli-error.js';
import { objectRef, resolveKind } from '../kinds.js';
import { createObject } from '../object-api.js';
import { listFlag, stringFlag, type Verb } from '../verb.js';
import { parseLabels, parsePort } from './workload-flags.js';

const RESTART = new Set(['Always', 'OnFailure', 'Never']);

export const runVerb: Verb = {
  name: 'run',
  summary: 'Run a pod from an image',
  usage: 'run <name> --image=IMAGE [--port=P] [--labels=k=v,...] [--env=K=V...] [--restart=Always|OnFailure|Never]',
  flags: {
    image: { type: 'string', help: 'the container image' },
    port: { type: 'string', help: 'the port the container exposes' },
    labels: { type: 'string', short: 'l', help: 'labels, k=v,k2=v2 (default run=<name>)' },
    env: { type: 'string', multiple: true, help: 'an environment variable, K=V (repeatable)' },
    restart: { type: 'string', help: 'the restart policy: Always (default), OnFailure or Never' },
  },
  async run(ctx) {
    const [name, ...more] = ctx.args;
    if (!name || more.length) throw new CliError('name the pod: kq run NAME --image=IMAGE');
    const image = stringFlag(ctx, 'image');
    if (!image) throw new CliError('kq run needs --image=IMAGE: kq run NAME --image=nginx');
    const restart = stringFlag(ctx, 'restart') ?? 'Always';
    if (!RESTART.has(restart)) throw new CliError(`--restart must be Always, OnFailure or Never, not "${restart}"`);
    const labelText = stringFlag(ctx, 'labels');
    const labels = labelText !== undefined ? parseLabels(labelText, '--labels') : { run: name };
    const port = stringFlag(ctx, 'port');
    const env = listFlag(ctx, 'env').map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new CliError(`--env: "${pair}" is not NAME=VALUE`);
      return { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
    });
    const container = {
      name,
      image,
      ...(port !== undefined ? { ports: [{ containerPort: parsePort(port, '--port') }] } : {}),
      ...(env.length ? { env } : {}),
    };
    const kind = resolveKind('Pod');
    await createObject(ctx.client(), kind, { metadata: { name, namespace: ctx.namespace, labels }, spec: { containers: [container], restartPolicy: restart } });
    ctx.stdout.write(`${objectRef(kind, name)} created\n`);
  },
};
