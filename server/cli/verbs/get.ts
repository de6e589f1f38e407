/** `kq get`: tables as kubectl lays them out (or -o wide|yaml|json|name), by kind, name, namespace and selectors; `-w` streams changes. */
import type { KObject, KindDef } from '../../resources/kind.js';
import { ClientError } from '../../client/client-error.js';
import { CliError } from '../cli-error.js';
import { ALL_NAMESPACES, FIELD_SELECTOR, OUTPUT, SELECTOR } from '../common-flags.js';
import { notFound } from '../not-found.js';
import { getObjects, listObjects } from '../object-api.js';
import { columnWidths, formatRow, formatTable } from '../output/table.js';
import { asDocument, nameOf, parseFormat, tableHeader, tableRow, toJson, toYaml, type Format, type TableOptions } from '../output/formats.js';
import { templateFormat, type TemplateFormat } from '../output/template-formats.js';
import { parseResourceArgs, type ResourceSelection } from '../resource-args.js';
import { boolFlag, stringFlag, type CliContext, type Verb } from '../verb.js';
import { watchObjects } from '../watch-objects.js';

interface Found {
  kind: KindDef;
  items: KObject[];
  revision: number;
}

/** The namespace a listing reads: none across all namespaces or for cluster-scoped kinds. */
const listNamespace = (ctx: CliContext, kind: KindDef) => (kind.namespaced && !boolFlag(ctx, 'all-namespaces') ? ctx.namespace : undefined);

/** Fetches what the arguments name; names that do not exist are returned as errors, after the rest. */
export async function fetchSelections(ctx: CliContext, selections: ResourceSelection[]): Promise<{ found: Found[]; missing: ClientError[] }> {
  const client = ctx.client();
  const found: Found[] = [];
  const missing: ClientError[] = [];
  for (const { kind, names } of selections) {
    if (names) {
      const objects = await getObjects(client, names.map((name) => ({ kind, namespace: ctx.namespace, name })));
      names.forEach((name, i) => !objects[i] && missing.push(notFound(kind, name)));
      const items = objects.filter((o): o is KObject => o !== null);
      const last = found.at(-1);
      if (last?.kind === kind) last.items.push(...items);
      else found.push({ kind, items, revision: 0 });
    } else {
      const list = await listObjects(client, kind, {
        namespace: listNamespace(ctx, kind),
        labelSelector: stringFlag(ctx, 'selector'),
        fieldSelector: stringFlag(ctx, 'field-selector'),
      });
      found.push({ kind, ...list });
    }
  }
  return { found, missing };
}

function tableOptions(ctx: CliContext, format: Format, kinds: number): TableOptions {
  return {
    wide: format === 'wide',
    namespaceColumn: boolFlag(ctx, 'all-namespaces'),
    kindPrefix: kinds > 1,
    showLabels: boolFlag(ctx, 'show-labels'),
    labelColumns: labelColumns(ctx),
  };
}

/** `-L a,b -L c`: the label keys to show as columns. */
function labelColumns(ctx: CliContext): string[] {
  const v = ctx.flags['label-columns'];
  const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  const keys = list.flatMap((s) => s.split(',')).map((k) => k.trim()).filter(Boolean);
  if (keys.length > 32) throw new CliError('-L: at most 32 label columns');
  return keys;
}

function print(ctx: CliContext, format: Format, found: Found[], single: boolean, template?: TemplateFormat): void {
  const objects = found.flatMap((f) => f.items);
  if (template) ctx.stdout.write(template.render(objects, single, !boolFlag(ctx, 'no-headers')));
  else if (format === 'yaml') ctx.stdout.write(toYaml(asDocument(objects, single)));
  else if (format === 'json') ctx.stdout.write(toJson(asDocument(objects, single)));
  else if (format === 'name') ctx.stdout.write(objects.map((o) => `${nameOf(o)}\n`).join(''));
  else {
    const opts = tableOptions(ctx, format, new Set(found.map((f) => f.kind)).size);
    const tables = found
      .filter((f) => f.items.length > 0)
      .map((f) => formatTable([...(boolFlag(ctx, 'no-headers') ? [] : [tableHeader(f.kind, opts)]), ...f.items.map((o) => tableRow(f.kind, o, opts))]));
    ctx.stdout.write(tables.join('\n'));
  }
}

function noneFound(ctx: CliContext, kinds: KindDef[]): string {
  const namespaced = kinds.some((k) => k.namespaced);
  return namespaced && !boolFlag(ctx, 'all-namespaces') ? `No resources found in ${ctx.namespace} namespace.` : 'No resources found';
}

async function watch(ctx: CliContext, format: Format, selection: ResourceSelection): Promise<void> {
  const { kind, names } = selection;
  if (names && names.length > 1) throw new CliError('kq get -w watches one object or one kind at a time');
  const withEvents = boolFlag(ctx, 'output-watch-events');
  const opts = tableOptions(ctx, format, 1);
  const header = [...(withEvents ? ['EVENT'] : []), ...tableHeader(kind, opts)];
  const row = (type: string, o: KObject) => [...(withEvents ? [type] : []), ...tableRow(kind, o, opts)];
  let widths: number[] | undefined;

  const show = (type: string, objects: KObject[]) => {
    if (format === 'yaml') for (const o of objects) ctx.stdout.write(`---\n${toYaml(o)}`);
    else if (format === 'json') for (const o of objects) ctx.stdout.write(toJson(o));
    else if (format === 'name') for (const o of objects) ctx.stdout.write(`${nameOf(o)}\n`);
    else {
      const rows = objects.map((o) => row(type, o));
      const first = widths === undefined;
      // The EVENT column is as wide as its widest word, so later rows line up.
      widths ??= columnWidths([header, ...rows, ...(withEvents ? [['MODIFIED']] : [])]);
      if (first && !boolFlag(ctx, 'no-headers')) ctx.stdout.write(formatRow(header, widths));
      for (const r of rows) ctx.stdout.write(formatRow(r, widths));
    }
  };

  const filters = {
    namespace: listNamespace(ctx, kind),
    labelSelector: stringFlag(ctx, 'selector'),
    fieldSelector: names ? `metadata.name=${names[0]}` : stringFlag(ctx, 'field-selector'),
  };
  const client = ctx.client();
  const list = await listObjects(client, kind, filters);
  if (names && list.items.length === 0) throw notFound(kind, names[0]);
  if (!boolFlag(ctx, 'watch-only') && list.items.length > 0) show('ADDED', list.items);
  const w = watchObjects(client, kind, { ...filters, fromRevision: list.revision }, (e) => {
    if (e.object) show(e.type, [e.object]);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => w.stop());
  await w.done;
}

export const getVerb: Verb = {
  name: 'get',
  summary: 'Show objects: a table (kubectl\'s columns), or -o wide|yaml|json|name; -w streams changes',
  usage: 'get <kind>[,<kind>...] [name...] | <kind>/<name>... [-n ns | -A] [-l selector] [--field-selector s] [-o wide|yaml|json|name|jsonpath=TEMPLATE|custom-columns=H:PATH,...] [-L key,...] [--show-labels] [-w]',
  flags: {
    ...ALL_NAMESPACES,
    ...SELECTOR,
    ...FIELD_SELECTOR,
    ...OUTPUT,
    watch: { type: 'boolean', short: 'w', help: 'after listing, print each change' },
    'watch-only': { type: 'boolean', help: 'print changes only, not the current objects' },
    'output-watch-events': { type: 'boolean', help: 'with -w, an EVENT column (ADDED, MODIFIED, DELETED)' },
    'show-labels': { type: 'boolean', help: 'a LABELS column' },
    'label-columns': { type: 'string', short: 'L', multiple: true, help: 'a column for each of these label keys (-L app,tier)' },
    'no-headers': { type: 'boolean', help: 'tables without their header line' },
  },
  async run(ctx) {
    // `-o=yaml` as kubectl accepts it: the short flag's value keeps the '='.
    const output = stringFlag(ctx, 'output')?.replace(/^=/, '');
    const template = templateFormat(output);
    const format = template ? 'json' : parseFormat(output);
    const selections = parseResourceArgs(ctx.args, 'get');
    const named = selections.some((s) => s.names);
    if (named && boolFlag(ctx, 'all-namespaces')) throw new CliError('a resource cannot be retrieved by name across all namespaces (drop -A, or use -n <namespace>)');
    if (named && (ctx.flags.selector || ctx.flags['field-selector'])) throw new CliError('name objects or select them with -l/--field-selector, not both');
    if (boolFlag(ctx, 'watch') || boolFlag(ctx, 'watch-only')) {
      if (selections.length !== 1) throw new CliError('kq get -w watches one kind at a time');
      if (template) throw new CliError('kq get -w prints tables, names, YAML or JSON, not jsonpath or custom-columns');
      return watch(ctx, format, selections[0]);
    }
    const { found, missing } = await fetchSelections(ctx, selections);
    const total = found.reduce((n, f) => n + f.items.length, 0);
    const single = selections.length === 1 && selections[0].names?.length === 1;
    if (total > 0 || (!template && (format === 'yaml' || format === 'json'))) {
      if (!(single && total === 0)) print(ctx, format, found, single, template);
    } else if (missing.length === 0) ctx.stderr.write(`${noneFound(ctx, selections.map((s) => s.kind))}\n`);
    if (missing.length) throw missing.length === 1 ? missing[0] : new ClientError(missing.flatMap((m) => m.errors));
  },
};
