/**
 * Where strategic merge patch learns how a field merges: its patch strategies (`merge`,
 * `replace`, `retainKeys`, or `merge,retainKeys`) and, for a list of objects, the merge key; and
 * the schema of the field's value (of its items, for a list). Kubernetes reads these from the Go
 * struct tags or from the OpenAPI extensions x-kubernetes-patch-strategy/-merge-key; here a
 * table of named types feeds it (server/resources/kinds/patch-strategies.ts for the kinds).
 */
import type { ListKey } from './list-order.js';
import { PatchError } from './patch-error.js';

export interface PatchMeta {
  strategies: readonly string[];
  mergeKey: ListKey;
}

export interface PatchSchema {
  /** The field's patch metadata and the schema of its value, or of its items for a list. */
  field(key: string): { meta: PatchMeta; schema: PatchSchema };
  /** The type's name, for error messages. */
  readonly name: string;
}

/** One field of a type in a table: how it patches, and the type of its value (or items). */
export interface PatchField {
  /** The Go field this comes from (`core/v1 PodSpec.Containers`). */
  go: string;
  /** Kubernetes' patchStrategy tag: `merge`, `replace`, `retainKeys` or `merge,retainKeys`. */
  strategy?: string;
  /** Kubernetes' patchMergeKey tag. */
  mergeKey?: string;
  /** A second key of the list's elements, with its default, and where it comes from (Kubernetes' listMapKey). */
  secondaryKey?: { field: string; default: string; go: string };
  /** The type (in the same table) of the value, or of the list's items. */
  type?: string;
}

export type PatchTypes = Readonly<Record<string, Readonly<Record<string, PatchField>>>>;

const NO_META: PatchMeta = { strategies: [], mergeKey: { name: '' } };

/** A schema that knows nothing: maps merge, lists are replaced (JSON merge patch plus directives). */
export const untyped: PatchSchema = {
  name: 'Struct',
  field: () => ({ meta: NO_META, schema: untyped }),
};

class TableSchema implements PatchSchema {
  constructor(
    private readonly types: PatchTypes,
    readonly name: string,
  ) {}

  field(key: string): { meta: PatchMeta; schema: PatchSchema } {
    const fields = this.types[this.name];
    const f = fields && Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!f) return { meta: NO_META, schema: untyped };
    return {
      meta: {
        strategies: f.strategy ? f.strategy.split(',') : [],
        mergeKey: { name: f.mergeKey ?? '', ...(f.secondaryKey ? { secondary: { field: f.secondaryKey.field, default: f.secondaryKey.default } } : {}) },
      },
      schema: f.type ? schemaOf(this.types, f.type) : untyped,
    };
  }
}

/** The schema of a named type of a table; every type a field names must be in the table. */
export function schemaOf(types: PatchTypes, name: string): PatchSchema {
  if (!Object.hasOwn(types, name)) throw new Error(`patch types: no type ${name}`);
  return new TableSchema(types, name);
}

/** Checks a table: every named type exists, every strategy is known, merge lists of objects name a key. */
export function checkPatchTypes(types: PatchTypes): string[] {
  const problems: string[] = [];
  for (const [typeName, fields] of Object.entries(types))
    for (const [field, f] of Object.entries(fields)) {
      const where = `${typeName}.${field} (${f.go})`;
      if (f.type && !Object.hasOwn(types, f.type)) problems.push(`${where}: no type ${f.type}`);
      for (const s of f.strategy ? f.strategy.split(',') : [])
        if (!['merge', 'replace', 'retainKeys'].includes(s)) problems.push(`${where}: unknown strategy ${s}`);
      if (f.mergeKey && !f.strategy?.split(',').includes('merge')) problems.push(`${where}: a merge key without the merge strategy`);
      if (f.secondaryKey && !f.mergeKey) problems.push(`${where}: a second key without a merge key`);
    }
  return problems;
}

/** Splits a field's strategies into retainKeys and the one other strategy, as Kubernetes does. */
export function retainKeysAndStrategy(strategies: readonly string[]): { retainKeys: boolean; strategy: string } {
  if (strategies.length === 0) return { retainKeys: false, strategy: '' };
  if (strategies.length === 1)
    return strategies[0] === 'retainKeys' ? { retainKeys: true, strategy: '' } : { retainKeys: false, strategy: strategies[0] };
  if (strategies.length === 2) {
    if (strategies[0] === 'retainKeys') return { retainKeys: true, strategy: strategies[1] };
    if (strategies[1] === 'retainKeys') return { retainKeys: true, strategy: strategies[0] };
  }
  throw new PatchError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}
