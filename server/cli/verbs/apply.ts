/** `kq apply -f`: every document of the files in one `apply` mutation (all or nothing), printed as kubectl does (`deployment.apps/shop created`). */
import { applyManifests } from '../../client/apply-manifests.js';
import { CliError } from '../cli-error.js';
import { FILENAME } from '../common-flags.js';
import { kindOfManifest, objectRef } from '../kinds.js';
import { applyError, docLabel } from '../manifest-errors.js';
import { readManifests } from '../manifest-files.js';
import { withNamespace } from '../namespaces.js';
import { createProgress } from '../progress.js';
import { manifestsForSaved } from '../saved-objects.js';
import { boolFlag, listFlag, stringFlag, type Verb } from '../verb.js';

function dryRunMode(value: string | undefined): '' | 'server' | 'client' {
  if (value === undefined || value === 'none') return '';
  if (value === 'server' || value === 'client') return value;
  throw new CliError(`invalid --dry-run value "${value}": use server, client or none`);
}

export const applyVerb: Verb = {
  name: 'apply',
  summary: 'Create or update objects from manifests (kubectl\'s client-side apply, all or nothing)',
  usage: 'apply -f <file|directory|-> [-f ...] [-R] [-n ns] [--dry-run=server]',
  flags: {
    ...FILENAME,
    'dry-run': { type: 'string', help: 'server (or client): report what would change, change nothing' },
  },
  async run(ctx) {
    const dryRun = dryRunMode(stringFlag(ctx, 'dry-run'));
    if (ctx.args.length) throw new CliError(`unexpected argument "${ctx.args[0]}": kq apply takes its manifests from -f`);
    const progress = createProgress();
    try {
      progress.update('reading manifests');
      const docs = await readManifests(listFlag(ctx, 'filename'), boolFlag(ctx, 'recursive'), ctx.stdin);
      const withNs = docs.map((doc) => withNamespace(ctx, kindOfManifest(doc.value.kind), doc));
      progress.update(`applying ${docs.length} object${docs.length === 1 ? '' : 's'}`);
      const client = ctx.client();
      const manifests = await manifestsForSaved(client, withNs.map((value, i) => ({ kind: kindOfManifest(value.kind), value, label: docLabel(docs[i]) })));
      let result;
      try {
        result = await applyManifests(client, manifests.map((m) => JSON.stringify(m)).join('\n---\n'), { dryRun: dryRun !== '' });
      } catch (e) {
        throw applyError(e, docs);
      }
      progress.done();
      for (const w of result.warnings) {
        const m = /^manifests\[(\d+)\]: (.*)$/s.exec(w);
        const doc = m ? docs[Number(m[1])] : undefined;
        ctx.stderr.write(`Warning: ${doc ? `${docLabel(doc)}: ${m![2]}` : w}\n`);
      }
      const suffix = dryRun === 'server' ? ' (server dry run)' : dryRun === 'client' ? ' (dry run)' : '';
      for (const o of result.objects) ctx.stdout.write(`${objectRef(kindOfManifest(o.kind)!, o.name)} ${o.action}${suffix}\n`);
    } finally {
      progress.done();
    }
  },
};
