/** `kq delete`: by kind and name, selector, --all or -f; prints kubectl's `deployment.apps "shop" deleted` and, by default, waits until the objects are gone. */
import { ClientError } from '../../client/client-error.js';
import type { KindDef } from '../../resources/kind.js';
import { CliError, alreadyReported } from '../cli-error.js';
import { FILENAME, SELECTOR, TIMEOUT } from '../common-flags.js';
import { parseDuration } from '../duration.js';
import { kindOfManifest, qualifiedKind } from '../kinds.js';
import { docLabel, objectError } from '../manifest-errors.js';
import { readManifests } from '../manifest-files.js';
import { withNamespace } from '../namespaces.js';
import { deleteObject, getObjects, listObjects, type DeleteOptions } from '../object-api.js';
import { waitUntil } from '../poll.js';
import { errorText } from '../report-error.js';
import { parseResourceArgs } from '../resource-args.js';
import { boolFlag, listFlag, stringFlag, type CliContext, type Verb } from '../verb.js';

interface Target {
  kind: KindDef;
  namespace: string;
  name: string;
  /** Restates an error in terms of where the target came from (a file's document). */
  explain?: (e: unknown) => unknown;
}

function deleteOptions(ctx: CliContext): DeleteOptions {
  const cascade = stringFlag(ctx, 'cascade') ?? 'background';
  const policies: Record<string, DeleteOptions['propagationPolicy']> = { background: 'Background', true: 'Background', foreground: 'Foreground', orphan: 'Orphan', false: 'Orphan' };
  if (!policies[cascade]) throw new CliError(`invalid --cascade value "${cascade}": use background, foreground or orphan`);
  const grace = stringFlag(ctx, 'grace-period');
  let gracePeriodSeconds = grace === undefined ? undefined : Number(grace);
  if (gracePeriodSeconds !== undefined && !Number.isInteger(gracePeriodSeconds)) throw new CliError(`invalid --grace-period "${grace}": a whole number of seconds`);
  if (gracePeriodSeconds !== undefined && gracePeriodSeconds < 0) gracePeriodSeconds = undefined; // -1: the object's own
  if (boolFlag(ctx, 'now')) gracePeriodSeconds = 1;
  if (boolFlag(ctx, 'force') && gracePeriodSeconds === undefined) gracePeriodSeconds = 0;
  return { propagationPolicy: policies[cascade], gracePeriodSeconds };
}

async function targets(ctx: CliContext): Promise<Target[]> {
  const files = listFlag(ctx, 'filename');
  if (files.length) {
    if (ctx.args.length) throw new CliError('name objects either with -f or as arguments, not both');
    const docs = await readManifests(files, boolFlag(ctx, 'recursive'), ctx.stdin);
    return docs.map((doc) => {
      const kind = kindOfManifest(doc.value.kind);
      const meta = withNamespace(ctx, kind, doc).metadata as Record<string, unknown> | undefined;
      if (!kind || typeof meta?.name !== 'string') throw new CliError(`${docLabel(doc)}: needs a known kind and metadata.name`);
      return { kind, namespace: String(meta.namespace ?? ''), name: meta.name, explain: (e: unknown) => objectError(e, doc) };
    });
  }
  const out: Target[] = [];
  for (const { kind, names } of parseResourceArgs(ctx.args, 'delete')) {
    if (names) out.push(...names.map((name) => ({ kind, namespace: ctx.namespace, name })));
    else {
      const selector = stringFlag(ctx, 'selector');
      if (!selector && !boolFlag(ctx, 'all') && !ctx.flags['field-selector'])
        throw new CliError(`resource(s) were provided, but no name was specified: name them, or select with -l, or use --all (kq delete ${kind.resource} --all)`);
      const { items } = await listObjects(ctx.client(), kind, { namespace: kind.namespaced ? ctx.namespace : undefined, labelSelector: selector, fieldSelector: stringFlag(ctx, 'field-selector') });
      out.push(...items.map((o) => ({ kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name })));
    }
  }
  return out;
}

export const deleteVerb: Verb = {
  name: 'delete',
  summary: 'Delete objects by name, selector or manifest, and wait until they are gone',
  usage: 'delete <kind> <name...> | <kind>/<name>... | <kind> (-l selector | --all) | -f <file|directory|-> [--grace-period N] [--cascade background|foreground|orphan] [--wait=false]',
  flags: {
    ...FILENAME,
    ...SELECTOR,
    'field-selector': { type: 'string', help: 'field selector' },
    all: { type: 'boolean', help: 'every object of the kind in the namespace' },
    'grace-period': { type: 'string', help: 'seconds a pod gets to stop (0: removed at once; -1: its own)' },
    now: { type: 'boolean', help: 'same as --grace-period=1' },
    force: { type: 'boolean', help: 'with no grace period given, remove at once (--grace-period=0)' },
    cascade: { type: 'string', help: 'background (default), foreground or orphan' },
    'ignore-not-found': { type: 'boolean', help: 'a missing object is not an error' },
    wait: { type: 'boolean', help: 'wait until the objects are gone (default true; --wait=false to return at once)' },
    ...TIMEOUT,
  },
  async run(ctx) {
    const options = deleteOptions(ctx);
    const timeout = parseDuration(stringFlag(ctx, 'timeout') ?? '0s', 'timeout');
    const client = ctx.client();
    const list = await targets(ctx);
    if (list.length === 0) {
      ctx.stderr.write('No resources found\n');
      return;
    }
    let failed = 0;
    const pending: Array<Target & { uid: string }> = [];
    for (const t of list) {
      try {
        const last = await deleteObject(client, t.kind, t.namespace, t.name, options);
        ctx.stdout.write(`${qualifiedKind(t.kind)} "${t.name}" deleted\n`);
        pending.push({ ...t, uid: last.metadata.uid });
      } catch (e) {
        if (e instanceof ClientError && e.code === 'NOT_FOUND' && boolFlag(ctx, 'ignore-not-found')) continue;
        failed++;
        ctx.stderr.write(`${errorText(t.explain ? t.explain(e) : e)}\n`);
      }
    }
    if (boolFlag(ctx, 'wait', true) && pending.length) {
      await waitUntil(
        async () => {
          const now = await getObjects(client, pending);
          return now.every((o, i) => !o || o.metadata.uid !== pending[i].uid);
        },
        timeout,
        `the deletion of ${pending.map((p) => `${qualifiedKind(p.kind)}/${p.name}`).join(', ')} (finalizers or a pod's grace period hold it; --wait=false returns at once)`,
      );
    }
    if (failed) throw alreadyReported();
  },
};
