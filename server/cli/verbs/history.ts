/** `kq history <kind>/<name>`: every version of one object through `history` (across delete and re-create), each with the change from the one before. */
import { CliError } from '../cli-error.js';
import { parseFormat, toJson, toYaml } from '../output/formats.js';
import { patchLines, type PatchOp } from '../output/patch-text.js';
import { parseOneObject } from '../resource-args.js';
import { createProgress } from '../progress.js';
import { stringFlag, type Verb } from '../verb.js';

interface ObjectVersion {
  revision: number;
  ts: string;
  actor: string;
  verb: string;
  type: string;
  uid: string;
  object: unknown;
  patch: PatchOp[] | null;
}

export const historyVerb: Verb = {
  name: 'history',
  summary: 'Every version of one object, with what changed each time',
  usage: 'history <kind>/<name> [-n ns] [-o json|yaml]',
  flags: { output: { type: 'string', short: 'o', help: 'json or yaml (the versions whole), else a diff per version' } },
  async run(ctx) {
    const format = parseFormat(stringFlag(ctx, 'output'));
    const { kind, name } = parseOneObject(ctx.args, 'history');
    const query = `query($kind: Kind!, $namespace: String, $name: String!, $after: String) {
      history(kind: $kind, namespace: $namespace, name: $name, first: 100, after: $after) {
        edges { node { revision ts actor verb type uid object patch } }
        pageInfo { hasNextPage endCursor } } }`;
    const versions: ObjectVersion[] = [];
    const progress = createProgress();
    try {
      let after: string | undefined;
      do {
        const { history } = await ctx.client().request(query, { kind: kind.kind, namespace: kind.namespaced ? ctx.namespace : null, name, after });
        versions.push(...history.edges.map((e: { node: ObjectVersion }) => e.node));
        after = history.pageInfo.hasNextPage ? history.pageInfo.endCursor : undefined;
        progress.update(`read ${versions.length} versions`);
      } while (after);
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
