/**
 * The relations' batched reads: per request, one DataLoader per access path, kind and revision,
 * so the `node` of 500 listed pods is one store.getMany, not 500 gets. Every object loaded is
 * tagged with the revision it was read at, so relations of relations read there too.
 */
import DataLoader from 'dataloader';
import type { KObject } from '../../../resources/kind.js';
import type { LabelMatch, ObjectIndex, ObjectKey, Store } from '../../../store/types.js';
import type { ApiContext } from '../../context.js';
import { tagRevision } from '../read-revision.js';

export interface RelationLoaders {
  byKey(kind: string, revision: number): DataLoader<ObjectKey, KObject | undefined, string>;
  byIndex(kind: string, index: ObjectIndex, revision: number): DataLoader<string, KObject[]>;
  bySelector(kind: string, revision: number): DataLoader<LabelMatch, KObject[], string>;
}

function createRelationLoaders(store: Store): RelationLoaders {
  const loaders = new Map<string, unknown>();
  function cached<L>(id: string, make: () => L): L {
    if (!loaders.has(id)) loaders.set(id, make());
    return loaders.get(id) as L;
  }
  const tagAll = (objects: KObject[], revision: number) => objects.map((o) => tagRevision(o, revision));
  return {
    byKey: (kind, revision) =>
      cached(
        `key\u0000${kind}\u0000${revision}`,
        () =>
          new DataLoader<ObjectKey, KObject | undefined, string>(
            async (keys) => store.getMany(kind, keys, revision).map((o) => o && tagRevision(o, revision)),
            { cacheKeyFn: (k) => `${k.namespace}\u0000${k.name}` },
          ),
      ),
    byIndex: (kind, index, revision) =>
      cached(
        `${index}\u0000${kind}\u0000${revision}`,
        () =>
          new DataLoader<string, KObject[]>(async (values) => {
            const groups = store.listBy(kind, index, values, revision);
            return values.map((v) => tagAll(groups.get(v) ?? [], revision));
          }),
      ),
    bySelector: (kind, revision) =>
      cached(
        `selector\u0000${kind}\u0000${revision}`,
        () =>
          new DataLoader<LabelMatch, KObject[], string>(
            async (selectors) => store.listMatching(kind, selectors, revision).map((objects) => tagAll(objects, revision)),
            { cacheKeyFn: (s) => JSON.stringify([s.namespace, Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]) },
          ),
      ),
  };
}

/** The request's loaders, created on first use. */
export function relationLoaders(ctx: ApiContext): RelationLoaders {
  return (ctx.relationLoaders ??= createRelationLoaders(ctx.store));
}
