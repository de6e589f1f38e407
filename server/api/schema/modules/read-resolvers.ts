/** get and list for one kind: point reads and Relay connections at a revision. */
import { selectableFields } from '../../../resources/selectors/field-values.js';
import { KubeqlError } from '../../../errors.js';
import type { KObject, KindDef } from '../../../resources/kind.js';
import type { ListQuery } from '../../../store/types.js';
import { parseFieldSelector } from '../../../resources/selectors/field-selector.js';
import { parseLabelSelector } from '../../../resources/selectors/label-selector.js';
import type { ApiContext } from '../../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { attributesFor } from '../../auth/attributes.js';
import { readableNamespaces } from '../../auth/readable-namespaces.js';
import { tagRevision } from '../read-revision.js';
import { whenReached } from '../../when-reached.js';
import { selectsKeysOnly } from '../keys-only-selection.js';
import type { GraphQLResolveInfo } from 'graphql';

export const DEFAULT_PAGE = 500;
/** The largest page the default cost limit admits (5,000 objects: query-cost.ts). */
export const MAX_PAGE = 5_000;

interface GetArgs {
  namespace?: string;
  name: string;
  atRevision?: number | null;
}

interface ListArgs {
  namespace?: string | null;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  first?: number | null;
  after?: string | null;
  atRevision?: number | null;
}

function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (first < 0 || first > MAX_PAGE) throw new KubeqlError('BAD_USER_INPUT', `first must be between 0 and ${MAX_PAGE}`, { field: 'first' });
  return first;
}

export function readResolvers(kind: KindDef) {
  const selectable = selectableFields(kind);
  return {
    [kind.getField]: (_: unknown, args: GetArgs, ctx: ApiContext): KObject | undefined | Promise<KObject | undefined> => {
      ctx.guard.check(attributesFor(kind, 'get', args));
      return whenReached(ctx.store, args.atRevision, () => {
        const object = ctx.store.get(kind.kind, kind.namespaced ? args.namespace! : '', args.name, args.atRevision ?? undefined);
        // Tagged with the revision it was read at, so its relations read there too.
        return object && tagRevision(object, args.atRevision ?? ctx.store.head());
      });
    },

    [kind.listField]: (_: unknown, args: ListArgs, ctx: ApiContext, info: GraphQLResolveInfo) => {
      const labelSelector = parseLabelSelector(args.labelSelector);
      const fieldSelector = parseFieldSelector(args.fieldSelector ?? '', selectable);
      const limit = pageSize(args.first);
      let atRevision = args.atRevision ?? undefined;
      let after: { namespace: string; name: string } | undefined;
      if (args.after) {
        const cursor = decodeCursor(args.after);
        if (atRevision !== undefined && atRevision !== cursor.revision)
          throw new KubeqlError('BAD_USER_INPUT', `atRevision ${atRevision} differs from the cursor's revision ${cursor.revision}`, { field: 'atRevision' });
        atRevision = cursor.revision;
        after = { namespace: cursor.namespace, name: cursor.name };
      }
      const namespace = kind.namespaced ? (args.namespace ?? undefined) : undefined;
      const namespaces = readableNamespaces(ctx.guard, kind, 'list', namespace);
      const keysOnly = selectsKeysOnly(info);
      return whenReached(ctx.store, atRevision, () => listPage({ namespace, namespaces, labelSelector, fieldSelector, after, limit, atRevision, keysOnly }, ctx));
    },
  };

  /** One page of the list, read at the query's revision (the head when none). */
  function listPage(query: Omit<ListQuery, 'kind'>, ctx: ApiContext) {
    const { after } = query;
    const result = ctx.store.list({ kind: kind.kind, ...query });
    const edges = result.items.map((node) => ({
      cursor: encodeCursor({ revision: result.revision, namespace: node.metadata.namespace ?? '', name: node.metadata.name }),
      node: tagRevision(node, result.revision),
    }));
    return {
      edges,
      revision: result.revision,
      pageInfo: {
        hasNextPage: result.hasMore,
        hasPreviousPage: Boolean(after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }
}
