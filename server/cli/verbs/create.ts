/** `kq create -f` (each object created on its own, as kubectl does: the others still go when one fails) and `kq create namespace <name>`. */
import type { KindDef } from '../../resources/kind.js';
import { CliError, alreadyReported } from '../cli-error.js';
import { FILENAME } from '../common-flags.js';
import { kindOfManifest, objectRef, resolveKind } from '../kinds.js';
import { docLabel, objectError } from '../manifest-errors.js';
import { readManifests, type ManifestDoc } from '../manifest-files.js';
import { withNamespace } from '../namespaces.js';
import { createObject } from '../object-api.js';
import { errorText } from '../report-error.js';
import { boolFlag, listFlag, type Verb } from '../verb.js';
import { createDeployment } from './create-deployment.js';

/** The `<Kind>Input` of a manifest: apiVersion, kind, metadata and the kind's body fields; anything else is refused by name. */
function toInput(kind: KindDef, doc: ManifestDoc, value: Record<string, unknown>): Record<string, unknown> {
  const allowed = new Set(['apiVersion', 'kind', 'metadata', 'status', ...Object.keys(kind.body)]);
  const unknown = Object.keys(value).filter((k) => !allowed.has(k));
  if (unknown.length) throw new CliError(`${docLabel(doc)}: unknown field "${unknown[0]}" for ${kind.kind} (it has ${[...allowed].join(', ')}); kq apply keeps unknown fields`);
  return value;
}

export const createVerb: Verb = {
  name: 'create',
  summary: 'Create objects from manifests (each on its own), a namespace by name, or a deployment from an image',
  usage: 'create -f <file|directory|-> [-R] [-n ns] | create namespace <name> | create deployment <name> --image=IMAGE [--replicas=N] [--port=P]',
  flags: {
    ...FILENAME,
    image: { type: 'string', multiple: true, help: 'create deployment: a container image (repeat for more containers)' },
    replicas: { type: 'string', short: 'r', help: 'create deployment: the number of replicas (default 1)' },
    port: { type: 'string', help: 'create deployment: the port the containers expose' },
  },
  async run(ctx) {
    const client = ctx.client();
    if (ctx.args.length) {
      const [what, name, ...more] = ctx.args;
      const kind = resolveKind(what).kind;
      if (kind === 'Deployment' && name && !more.length) return createDeployment(ctx, name);
      if (kind !== 'Namespace' || !name || more.length) throw new CliError('kq create takes -f <file>, "namespace <name>" or "deployment <name> --image=IMAGE"');
      await createObject(client, resolveKind(what), { metadata: { name } });
      ctx.stdout.write(`namespace/${name} created\n`);
      return;
    }
    const docs = await readManifests(listFlag(ctx, 'filename'), boolFlag(ctx, 'recursive'), ctx.stdin);
    let failed = 0;
    for (const doc of docs) {
      try {
        const kind = kindOfManifest(doc.value.kind);
        if (!kind) throw new CliError(`${docLabel(doc)}: no matches for kind ${JSON.stringify(doc.value.kind)} (kq api-resources lists the kinds)`);
        const created = await createObject(client, kind, toInput(kind, doc, withNamespace(ctx, kind, doc))).catch((e) => {
          throw objectError(e, doc);
        });
        ctx.stdout.write(`${objectRef(kind, created.metadata.name)} created\n`);
      } catch (e) {
        failed++;
        ctx.stderr.write(`${errorText(e)}\n`);
      }
    }
    if (failed) throw alreadyReported();
  },
};
