/** `kq replace -f FILE`, as kubectl replace: each object written whole over the stored one (conditional when the manifest carries a resourceVersion). */
import { CliError, alreadyReported } from '../cli-error.js';
import { FILENAME } from '../common-flags.js';
import { kindOfManifest, objectRef } from '../kinds.js';
import { docLabel, objectError } from '../manifest-errors.js';
import { readManifests } from '../manifest-files.js';
import { withNamespace } from '../namespaces.js';
import { replaceObject } from '../replace-object.js';
import { errorText } from '../report-error.js';
import { boolFlag, listFlag, type Verb } from '../verb.js';

export const replaceVerb: Verb = {
  name: 'replace',
  summary: 'Replace objects whole from manifests',
  usage: 'replace -f <file|directory|-> [-R] [-n ns]',
  flags: { ...FILENAME },
  async run(ctx) {
    const sources = listFlag(ctx, 'filename');
    if (sources.length === 0) throw new CliError('kq replace needs -f <file|directory|->');
    if (ctx.args.length) throw new CliError('kq replace takes its objects from -f, not from arguments');
    const docs = await readManifests(sources, boolFlag(ctx, 'recursive'), ctx.stdin);
    const client = ctx.client();
    let failed = 0;
    for (const doc of docs) {
      try {
        const kind = kindOfManifest(doc.value.kind);
        if (!kind) throw new CliError(`${docLabel(doc)}: no matches for kind ${JSON.stringify(doc.value.kind)} (kq api-resources lists the kinds)`);
        const replaced = await replaceObject(client, kind, withNamespace(ctx, kind, doc)).catch((e) => {
          throw objectError(e, doc);
        });
        ctx.stdout.write(`${objectRef(kind, replaced.metadata.name)} replaced\n`);
      } catch (e) {
        failed++;
        ctx.stderr.write(`${errorText(e)}\n`);
      }
    }
    if (failed) throw alreadyReported();
  },
};
