/** `-o` formats: tables (plain and wide), YAML and JSON (one object, or a `List` of several, as kubectl), and names (`deployment.apps/shop`). */
import { yaml } from '../yaml.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import { CliError } from '../cli-error.js';
import { kindOfManifest, objectRef } from '../kinds.js';
import { labelsText } from '../../resources/printing/cells.js';
import { columnsFor, hidesName } from '../../resources/printing/columns.js';

export type Format = 'table' | 'wide' | 'yaml' | 'json' | 'name';

const FORMATS: readonly Format[] = ['wide', 'yaml', 'json', 'name'];

export function parseFormat(output: string | undefined): Format {
  if (output === undefined || output === '') return 'table';
  if ((FORMATS as readonly string[]).includes(output)) return output as Format;
  throw new CliError(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${FORMATS.join(',')}`);
}

export interface TableOptions {
  wide: boolean;
  /** A NAMESPACE column first (`-A`), for namespaced kinds. */
  namespaceColumn: boolean;
  /** Names as `pod/x` (several kinds in one listing). */
  kindPrefix: boolean;
  showLabels: boolean;
  /** `-L key,...`: a column per label key, headed by the key's last segment upper-cased (as kubectl's). */
  labelColumns?: string[];
}

const labelHeader = (key: string) => (key.split('/').pop() ?? key).toUpperCase();

export function tableHeader(kind: KindDef, opts: TableOptions): string[] {
  return [
    ...(opts.namespaceColumn && kind.namespaced ? ['NAMESPACE'] : []),
    ...(hidesName(kind) ? [] : ['NAME']),
    ...columnsFor(kind, opts.wide).map((c) => c.name.toUpperCase()),
    ...(opts.labelColumns ?? []).map(labelHeader),
    ...(opts.showLabels ? ['LABELS'] : []),
  ];
}

export function tableRow(kind: KindDef, o: KObject, opts: TableOptions, now = Date.now()): string[] {
  return [
    ...(opts.namespaceColumn && kind.namespaced ? [o.metadata.namespace ?? ''] : []),
    ...(hidesName(kind) ? [] : [opts.kindPrefix ? objectRef(kind, o.metadata.name) : o.metadata.name]),
    ...columnsFor(kind, opts.wide).map((c) => c.cell(o, now)),
    ...(opts.labelColumns ?? []).map((key) => o.metadata.labels?.[key] ?? ''),
    ...(opts.showLabels ? [labelsText(o.metadata.labels)] : []),
  ];
}

/** YAML as kubectl writes it: two-space indent, lists flush with their key, no line folding. */
export function toYaml(value: unknown): string {
  return yaml().stringify(value, { indentSeq: false, lineWidth: 0 });
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

/** One object as itself; several (or a listing that may hold any number) as a `List`. */
export function asDocument(objects: KObject[], single: boolean): unknown {
  return single && objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
}

export function nameOf(o: KObject): string {
  const kind = kindOfManifest(o.kind);
  return kind ? objectRef(kind, o.metadata.name) : `${String(o.kind).toLowerCase()}/${o.metadata.name}`;
}
