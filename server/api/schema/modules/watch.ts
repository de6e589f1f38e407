/** Watch: the `watch` subscription, served by the watch engine (server/api/watch). */
import type { SchemaModule } from '../module.js';
import type { ApiContext } from '../../context.js';
import type { WatchPayload } from '../../watch/transition.js';
import { tagRevision } from '../read-revision.js';
import { readableNamespaces } from '../../auth/readable-namespaces.js';
import { kindByName } from '../../../resources/registry.js';
import { whenReached } from '../../when-reached.js';

const typeDefs = () => `
enum WatchEventType {
  ADDED
  MODIFIED
  DELETED
  BOOKMARK
}

"""One change seen by a watch. object is null only for BOOKMARK, whose revision is the head the watcher has seen up to."""
type WatchEvent {
  type: WatchEventType!
  revision: Revision!
  object: Resource
}

type Subscription {
  """
  Every change to objects of a kind that match the selectors, in revision order, with no gap and no duplicate.
  With fromRevision (exclusive): every matching event after it, then live events. Without: a synthetic ADDED
  for each matching object, a BOOKMARK at the head, then live events. An object that stops matching arrives as
  DELETED, one that starts matching as ADDED. Errors that end a watch: EXPIRED (fromRevision compacted),
  SLOW_CONSUMER (the client fell too far behind; resume from the last revision received).
  """
  watch(kind: Kind!, namespace: String, labelSelector: String, fieldSelector: String, fromRevision: Revision): WatchEvent!
}`;

interface WatchArgs {
  kind: string;
  namespace?: string | null;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  fromRevision?: number | null;
}

export const watchModule: SchemaModule = {
  name: 'watch',
  typeDefs,
  resolvers: () => ({
    Subscription: {
      watch: {
        subscribe: (_: unknown, args: WatchArgs, ctx: ApiContext) => {
          const kind = kindByName(args.kind);
          // A watch delivers only what its subscriber may read, decided when it starts.
          const namespaces = kind ? readableNamespaces(ctx.guard, kind, 'watch', args.namespace ?? undefined) : undefined;
          // A client resuming on this server after another may be a moment ahead of its replica: wait for it.
          return whenReached(ctx.store, args.fromRevision, () => ctx.watch.open({ ...args, namespaces }));
        },
        // The object's relations read at the event's revision.
        resolve: ({ watch }: { watch: WatchPayload }) => (watch.object ? { ...watch, object: tagRevision(watch.object, watch.revision) } : watch),
      },
    },
  }),
};
