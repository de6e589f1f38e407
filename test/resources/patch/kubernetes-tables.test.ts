/**
 * Kubernetes' own test tables for strategic merge patch (apimachinery
 * pkg/util/strategicpatch/patch_test.go), ported as data: kubernetes-strategicpatch-cases.json
 * holds each table's cases as the Go file has them, and each vitest case names the Go test and
 * table it comes from. The schema is the Go test's MergeItem struct, written as a patch-types table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isMap, type Json, type JsonMap } from '../../../server/resources/patch/json-value.js';
import { sliceElementType, sortMapsByField, sortScalars, deduplicateScalars, type ListKey } from '../../../server/resources/patch/list-order.js';
import { retainKeysAndStrategy, schemaOf, type PatchSchema, type PatchTypes } from '../../../server/resources/patch/patch-schema.js';
import { PatchConflictError, createThreeWayMergePatch, createTwoWayMergePatch } from '../../../server/resources/patch/strategic-diff.js';
import { strategicMergePatch } from '../../../server/resources/patch/strategic-merge.js';

/** patch_test.go's MergeItem and RetainKeysMergeItem, with their patchStrategy/patchMergeKey tags. */
const mergeItemTypes: PatchTypes = {
  MergeItem: {
    mergingList: { go: 'MergeItem.MergingList', strategy: 'merge', mergeKey: 'name', type: 'MergeItem' },
    nonMergingList: { go: 'MergeItem.NonMergingList', type: 'MergeItem' },
    mergingIntList: { go: 'MergeItem.MergingIntList', strategy: 'merge' },
    nonMergingIntList: { go: 'MergeItem.NonMergingIntList' },
    mergeItemPtr: { go: 'MergeItem.MergeItemPtr', strategy: 'merge', mergeKey: 'name', type: 'MergeItem' },
    replacingItem: { go: 'MergeItem.ReplacingItem', strategy: 'replace' },
    retainKeysMap: { go: 'MergeItem.RetainKeysMap', strategy: 'retainKeys', type: 'RetainKeysMergeItem' },
    retainKeysMergingList: { go: 'MergeItem.RetainKeysMergingList', strategy: 'merge,retainKeys', mergeKey: 'name', type: 'MergeItem' },
  },
  RetainKeysMergeItem: {
    mergingIntList: { go: 'RetainKeysMergeItem.MergingIntList', strategy: 'merge' },
    mergingList: { go: 'RetainKeysMergeItem.MergingList', strategy: 'merge', mergeKey: 'name', type: 'MergeItem' },
    nonMergingList: { go: 'RetainKeysMergeItem.NonMergingList', type: 'MergeItem' },
  },
};
const mergeItem = schemaOf(mergeItemTypes, 'MergeItem');

interface Case {
  description: string;
  original?: Json;
  twoWay?: Json;
  modified?: Json;
  current?: Json;
  threeWay?: Json;
  result?: Json;
  twoWayResult?: Json;
  expectedError?: string;
}
interface Table {
  goTest: string;
  sorted: boolean;
  cases: Case[];
}
const fixture = JSON.parse(readFileSync(new URL('./kubernetes-strategicpatch-cases.json', import.meta.url), 'utf8')) as { tables: Record<string, Table> };

/** The Go tests' sortMergeListsByName: merging lists sorted by merge key (scalars de-duplicated and sorted), recursively. */
function sortMergeLists(m: JsonMap, schema: PatchSchema): JsonMap {
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(m)) {
    if (k === '$retainKeys' || k.startsWith('$deleteFromPrimitiveList')) out[k] = sortScalars([...(v as Json[])]);
    else if (k.startsWith('$setElementOrder') || k === '$patch') out[k] = v;
    else if (isMap(v)) out[k] = sortMergeLists(v, schema.field(k).schema);
    else if (Array.isArray(v)) {
      const { meta, schema: sub } = schema.field(k);
      out[k] = retainKeysAndStrategy(meta.strategies).strategy === 'merge' ? sortList(v, sub, meta.mergeKey) : v;
    } else out[k] = v;
  }
  return out;
}

function sortList(list: Json[], schema: PatchSchema, mergeKey: ListKey): Json[] {
  if (list.length === 0) return list;
  if (sliceElementType(list) !== 'map') return sortScalars(deduplicateScalars([...list]));
  return sortMapsByField(
    list.map((e) => sortMergeLists(e as JsonMap, schema)),
    mergeKey,
  );
}

const doc = (v: Json | undefined, sorted: boolean): JsonMap => {
  const m = (v ?? {}) as JsonMap;
  return sorted ? sortMergeLists(m, mergeItem) : m;
};

const given = (v: Json | undefined) => v !== undefined && v !== null;

for (const [tableName, table] of Object.entries(fixture.tables)) {
  describe(`${table.goTest} (${tableName})`, () => {
    for (const c of table.cases) {
      const d = (v: Json | undefined) => doc(v, table.sorted);

      if (table.goTest === 'TestCustomStrategicMergePatch') {
        // The patch is given (it cannot be generated): apply it.
        it(`${c.description}: applies`, () => {
          const apply = () => strategicMergePatch(d(c.original), d(c.twoWay), mergeItem);
          if (c.expectedError) expect(apply).toThrow(c.expectedError);
          else expect(apply()).toEqual(d(c.twoWayResult ?? c.modified));
        });
        continue;
      }

      if (table.goTest === 'TestUnknownField' && c.expectedError && !given(c.twoWay)) continue; // Go's struct schema rejects unknown fields; ours has no such error

      if (given(c.twoWay) || table.goTest !== 'TestStrategicMergePatch') {
        it(`${c.description}: two-way patch and its application`, () => {
          const patch = createTwoWayMergePatch(d(c.original), d(c.modified), mergeItem);
          expect(patch).toEqual(d(c.twoWay));
          const apply = () => strategicMergePatch(d(c.original), patch, mergeItem);
          if (c.expectedError && table.goTest !== 'TestUnknownField') expect(apply).toThrow(c.expectedError);
          else expect(apply()).toEqual(d(c.twoWayResult ?? c.modified));
        });
      }

      // As testThreeWayPatch: without overwrite, a case named "conflict" must be refused; with a
      // result it also gives the forced (overwrite) patch, which is what kubectl apply computes.
      if (!given(c.threeWay) && !given(c.result) && !c.description.includes('conflict')) continue;
      const conflict = c.description.includes('conflict');
      it(`${c.description}: three-way patch${conflict ? ' (a conflict without overwrite; forced, as kubectl apply)' : ''} and its application`, () => {
        const make = (overwrite: boolean) => createThreeWayMergePatch(d(c.original), d(c.modified), d(c.current), mergeItem, overwrite);
        if (conflict) {
          expect(() => make(false)).toThrow(PatchConflictError);
          if (!given(c.result)) return;
        }
        const patch = make(conflict);
        expect(patch).toEqual(d(c.threeWay));
        const apply = () => strategicMergePatch(d(c.current), patch, mergeItem);
        if (c.expectedError && table.goTest !== 'TestUnknownField') expect(apply).toThrow(c.expectedError);
        else expect(apply()).toEqual(d(c.result));
      });
    }
  });
}

describe('the ported tables', () => {
  it('hold a substantial share of the Go file', () => {
    const count = Object.values(fixture.tables).reduce((n, t) => n + t.cases.length, 0);
    expect(count).toBeGreaterThanOrEqual(150);
  });
});

// TestNumberConversion (patch_test.go): numbers at the edges of their Go types survive a two-way
// patch and its application. Its "int64 max" case (9223372036854775807) is left out: a JSON number
// in JavaScript is a float64, exact to 2^53 only.
describe('TestNumberConversion', () => {
  const precisionItem = schemaOf({ PrecisionItem: {} }, 'PrecisionItem');
  const cases: Record<string, { old: string; new: string; patch: string; result: string }> = {
    empty: { old: '{}', new: '{}', patch: '{}', result: '{}' },
    'int32 medium': { old: '{"int32":1000000}', new: '{"int32":1000000,"name":"newname"}', patch: '{"name":"newname"}', result: '{"int32":1000000,"name":"newname"}' },
    'int32 max': { old: '{"int32":2147483647}', new: '{"int32":2147483647,"name":"newname"}', patch: '{"name":"newname"}', result: '{"int32":2147483647,"name":"newname"}' },
    'int64 medium': { old: '{"int64":1000000}', new: '{"int64":1000000,"name":"newname"}', patch: '{"name":"newname"}', result: '{"int64":1000000,"name":"newname"}' },
    'float32 max': {
      old: '{"float32":3.4028234663852886e+38}',
      new: '{"float32":3.4028234663852886e+38,"name":"newname"}',
      patch: '{"name":"newname"}',
      result: '{"float32":3.4028234663852886e+38,"name":"newname"}',
    },
    'float64 max': {
      old: '{"float64":1.7976931348623157e+308}',
      new: '{"float64":1.7976931348623157e+308,"name":"newname"}',
      patch: '{"name":"newname"}',
      result: '{"float64":1.7976931348623157e+308,"name":"newname"}',
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => {
      const patch = createTwoWayMergePatch(JSON.parse(c.old), JSON.parse(c.new), precisionItem);
      expect(JSON.stringify(patch)).toBe(c.patch);
      expect(JSON.stringify(strategicMergePatch(JSON.parse(c.old), patch, precisionItem))).toBe(c.result);
    });
});
