/** `kq create deployment NAME --image=IMAGE [--replicas=N] [--port=P]`, as kubectl's: label app=NAME, one container per image named after it. */
import { CliError } from '../cli-error.js';
import { resolveKind, objectRef } from '../kinds.js';
import { createObject } from '../object-api.js';
import type { CliContext } from '../verb.js';
import { listFlag, stringFlag } from '../verb.js';
import { containerName, parseCount } from './workload-flags.js';

export async function createDeployment(ctx: CliContext, name: string): Promise<void> {
  const images = listFlag(ctx, 'image');
  if (images.length === 0) throw new CliError('kq create deployment needs --image=IMAGE: kq create deployment NAME --image=nginx [--replicas=N]');
  const replicas = parseCount(stringFlag(ctx, 'replicas') ?? '1', '--replicas');
  const port = stringFlag(ctx, 'port');
  const containers = images.map((image) => ({
    name: containerName(image),
    image,
    ...(port !== undefined ? { ports: [{ containerPort: parseCount(port, '--port') }] } : {}),
  }));
  if (new Set(containers.map((c) => c.name)).size !== containers.length) throw new CliError('two --image flags give containers of the same name; kubectl names each container after its image');
  const kind = resolveKind('Deployment');
  const labels = { app: name };
  await createObject(ctx.client(), kind, {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
  });
  ctx.stdout.write(`${objectRef(kind, name)} created\n`);
}
