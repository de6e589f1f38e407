/** `kq history <kind>/<name>`: every version of one object through `history` (across delete and re-create), each with the change from the one before. */
import { readHistory, type ObjectVersion } from '../../client/object-history.js';
import { CliError } from '../cli-error.js';
import { parseFormat, toJson, toYaml } from '../output/formats.js';
import { patchLines } from '../output/patch-text.js';
import { parseOneObject } from '../resource-args.js';
import { createProgress } from '../progress.js';
import { stringFlag, type Verb } from '../verb.js';

export const historyVerb: Verb = {
  name: 'history',
  summary: 'Every version of one object, with what changed each time',
  usage: 'history <kind>/<name> [-n ns] [-o json|yaml]',
  flags: { output: { type: 'string', short: 'o', help: 'json or yaml (the versions whole), else a diff per version' } },
  async run(ctx) {
    const format = parseFormat(stringFlag(ctx, 'output'));
    const { kind, name } = parseOneObject(ctx.args, 'history');
    const progress = createProgress();
    let versions: ObjectVersion[];
    try {
      const key = { namespace: kind.namespaced ? ctx.namespace : undefined, name };
      versions = await readHistory(ctx.client(), kind.kind, key, { onPage: (n) => progress.update(`read ${n} versions`) });
    } finally {
      progress.done();
    }
    if (versions.length === 0) throw new CliError(`no history for ${kind.resource} "${name}"${kind.namespaced ? ` in namespace "${ctx.namespace}"` : ''} (was it ever created? was its log compacted?)`);
    if (format === 'json') return ctx.stdout.write(toJson(versions));
    if (format === 'yaml') return ctx.stdout.write(toYaml(versions));
    let previous: ObjectVersion | undefined;
    for (const v of versions) {
      const uid = !previous || previous.uid !== v.uid ? `  uid ${v.uid}` : '';
      ctx.stdout.write(`revision ${v.revision}  ${v.ts}  ${v.actor}  ${v.verb}  ${v.type}${uid}\n`);
      const sameObject = previous && previous.uid === v.uid;
      for (const line of sameObject ? patchLines(v.patch ?? [], previous!.object) : []) ctx.stdout.write(`  ${line}\n`);
      previous = v;
    }
  },
};
