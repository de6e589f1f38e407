/**
 * Relations: the graph's edges (Pod.node, Node.pods, Service.pods, Service.endpoints,
 * ReplicaSet.pods, Deployment.replicaSets from RELATIONS, and `owner` on every kind), generated for
 * the kinds in the registry. Each reads at the revision its parent was read at (untagged parents,
 * such as mutation results, at the head) through the request's batched loaders.
 */
import type { KObject, KindDef } from '../../../resources/kind.js';
import type { ApiContext } from '../../context.js';
import type { SchemaModule } from '../module.js';
import { revisionOf } from '../read-revision.js';
import { attributesFor } from '../../auth/attributes.js';
import { relationLoaders } from './relation-loaders.js';
import { RELATIONS, type Relation } from './relations-table.js';

const OWNER_DESCRIPTION = 'The controller (the ownerReference with controller: true), by kind, namespace and name; null when absent or when its uid differs.';

/** The rows of RELATIONS whose two kinds are in the registry, with the target's definition. */
function presentRelations(kinds: readonly KindDef[]): Array<{ relation: Relation; target: KindDef }> {
  const byName = new Map(kinds.map((k) => [k.kind, k]));
  return RELATIONS.flatMap((relation) => {
    const target = byName.get(relation.to);
    return byName.has(relation.from) && target ? [{ relation, target }] : [];
  });
}

function fieldType(relation: Relation): string {
  return relation.by === 'name' ? relation.to : `[${relation.to}!]!`;
}

function typeDefs(kinds: readonly KindDef[]): string {
  const relations = presentRelations(kinds);
  return kinds
    .map((kind) => {
      const fields = relations
        .filter(({ relation }) => relation.from === kind.kind)
        .map(({ relation }) => `  """${relation.description}"""\n  ${relation.field}: ${fieldType(relation)}`);
      return `extend type ${kind.kind} {\n${fields.join('\n')}${fields.length ? '\n' : ''}  """${OWNER_DESCRIPTION}"""\n  owner: Resource\n}`;
    })
    .join('\n\n');
}

/** The revision a relation of `parent` reads at. */
const readAt = (parent: KObject, ctx: ApiContext) => revisionOf(parent) ?? ctx.store.head();

/** The target's namespace: the source's, or '' when the target kind is cluster-scoped. */
const namespaceIn = (target: KindDef, source: KObject) => (target.namespaced ? (source.metadata.namespace ?? '') : '');

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isLabelMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

/**
 * A relation shows only what its reader could read directly (DESIGN §5): a single object needs
 * `get` on it, a list `list` in its namespace, so a graph query cannot leak what a list would not.
 */
function visible(ctx: ApiContext, target: KindDef, found: KObject | KObject[] | null | undefined): KObject | KObject[] | null {
  if (!found) return null;
  if (Array.isArray(found)) return found.filter((o) => ctx.guard.allows(attributesFor(target, 'list', { namespace: o.metadata.namespace })));
  return ctx.guard.allows(attributesFor(target, 'get', { namespace: found.metadata.namespace, name: found.metadata.name })) ? found : null;
}

function relationResolver(relation: Relation, target: KindDef) {
  return async (parent: KObject, args: unknown, ctx: ApiContext): Promise<KObject | KObject[] | null> => visible(ctx, target, await load(parent, args, ctx));
  async function load(parent: KObject, _: unknown, ctx: ApiContext): Promise<KObject | KObject[] | null> {
    const revision = readAt(parent, ctx);
    const loaders = relationLoaders(ctx);
    switch (relation.by) {
      case 'name': {
        const name = relation.name(parent);
        if (!nonEmptyString(name)) return null;
        return (await loaders.byKey(target.kind, revision).load({ namespace: namespaceIn(target, parent), name })) ?? null;
      }
      case 'index': {
        const value = relation.value(parent);
        return nonEmptyString(value) ? loaders.byIndex(target.kind, relation.index, revision).load(value) : [];
      }
      case 'selector': {
        // A service without a selector (or with an empty one) selects nothing, as in Kubernetes.
        const labels = relation.selector(parent);
        if (!isLabelMap(labels) || Object.keys(labels).length === 0) return [];
        return loaders.bySelector(target.kind, revision).load({ namespace: namespaceIn(target, parent), labels });
      }
    }
  }
}

function ownerResolver(kinds: readonly KindDef[]) {
  const byName = new Map(kinds.map((k) => [k.kind, k]));
  return async (parent: KObject, _: unknown, ctx: ApiContext): Promise<KObject | null> => {
    const ref = parent.metadata.ownerReferences?.find((r) => r.controller === true);
    const target = ref && byName.get(ref.kind);
    if (!ref || !target || !nonEmptyString(ref.name)) return null;
    const owner = await relationLoaders(ctx)
      .byKey(target.kind, readAt(parent, ctx))
      .load({ namespace: namespaceIn(target, parent), name: ref.name });
    return owner && owner.metadata.uid === ref.uid ? (visible(ctx, target, owner) as KObject | null) : null;
  };
}

function resolvers(kinds: readonly KindDef[]) {
  const relations = presentRelations(kinds);
  const owner = ownerResolver(kinds);
  return Object.fromEntries(
    kinds.map((kind) => [
      kind.kind,
      {
        owner,
        ...Object.fromEntries(
          relations.filter(({ relation }) => relation.from === kind.kind).map(({ relation, target }) => [relation.field, relationResolver(relation, target)]),
        ),
      },
    ]),
  );
}

export const relationsModule: SchemaModule = { name: 'relations', typeDefs, resolvers };
