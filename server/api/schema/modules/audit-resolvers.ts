/** Resolvers of the audit module: auditLog, history, the log subscription and replay, over the store's audit reads. */
import { createPatch } from 'rfc6902';
import { badInput, KubeqlError, expired } from '../../../errors.js';
import type { KindDef } from '../../../resources/kind.js';
import { redactObject, redactPatch } from '../../../resources/secret-redaction.js';
import { formatDifference } from '../../../store/sqlite/digest.js';
import type { StoredEvent } from '../../../store/types.js';
import { AUDIT, REPLAY } from '../../audit/access.js';
import { toAuditFilter, type AuditFilterInput } from '../../audit/filter-input.js';
import { openLogStream } from '../../audit/log-stream.js';
import type { ApiContext } from '../../context.js';
import { whenReached } from '../../when-reached.js';
import { decodeRevisionCursor, encodeRevisionCursor } from '../revision-cursor.js';
import type { ObjectVersionRecord, ReplayReport } from '../../../store/records.js';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (first < 0 || first > MAX_PAGE) throw badInput('first', `must be between 0 and ${MAX_PAGE}`);
  return first;
}

/** Where a page starts: after the cursor (EXPIRED once compaction passed it), or at the floor. */
function startAfter(after: string | null | undefined, ctx: ApiContext): number {
  if (!after) return ctx.store.floor();
  const revision = decodeRevisionCursor(after);
  if (revision < ctx.store.floor())
    throw expired(revision, ctx.store.floor());
  return revision;
}

function connection<T>(nodes: T[], revisionOf: (node: T) => number, hasMore: boolean, resumed: boolean, ctx: ApiContext) {
  const edges = nodes.map((node) => ({ cursor: encodeRevisionCursor(revisionOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: hasMore, hasPreviousPage: resumed, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    revision: ctx.store.head(),
    floor: ctx.store.floor(),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function replayResult(r: ReplayReport) {
  const d = r.firstDifference;
  return {
    revision: r.revision,
    floor: r.floor,
    events: r.events,
    digest: r.digest,
    liveDigest: r.liveDigest,
    match: r.match,
    firstDifference: d ? { ...d, namespace: d.namespace || null, message: formatDifference(d) } : null,
    tables: r.tables,
    durationMs: r.ms,
  };
}

interface HistoryArgs {
  kind: string;
  namespace?: string | null;
  name: string;
  first?: number | null;
  after?: string | null;
}

export function auditResolvers(kinds: readonly KindDef[]) {
  const byName = new Map(kinds.map((k) => [k.kind, k]));
  return {
    Query: {
      auditLog: (_: unknown, args: { filter?: AuditFilterInput | null; first?: number | null; after?: string | null }, ctx: ApiContext) => {
        ctx.guard.check(AUDIT);
        const filter = toAuditFilter(args.filter);
        const limit = pageSize(args.first);
        const page = ctx.store.readAudit(filter, startAfter(args.after, ctx), limit);
        return connection(page.events, (e) => e.revision, page.hasMore, Boolean(args.after), ctx);
      },
      history: (_: unknown, args: HistoryArgs, ctx: ApiContext) => {
        ctx.guard.check(AUDIT);
        const kind = byName.get(args.kind)!;
        if (kind.namespaced && !args.namespace) throw badInput('namespace', `${kind.kind} is namespaced: give the object's namespace`);
        if (!kind.namespaced && args.namespace) throw badInput('namespace', `${kind.kind} is cluster-scoped: leave namespace out`);
        const limit = pageSize(args.first);
        const page = ctx.store.readHistory(kind.kind, { namespace: args.namespace ?? '', name: args.name }, startAfter(args.after, ctx), limit);
        return connection(page.versions, (v) => v.event.revision, page.hasMore, Boolean(args.after), ctx);
      },
    },
    Mutation: {
      replay: async (_: unknown, args: { verify?: boolean | null }, ctx: ApiContext) => {
        ctx.guard.check(REPLAY);
        return replayResult(await ctx.store.replay({ verify: args.verify ?? true }));
      },
    },
    Subscription: {
      log: {
        subscribe: (_: unknown, args: { filter?: AuditFilterInput | null; fromRevision?: number | null }, ctx: ApiContext) => {
          ctx.guard.check(AUDIT);
          const filter = toAuditFilter(args.filter);
          return whenReached(ctx.store, args.fromRevision, () => openLogStream(ctx.store, filter, args.fromRevision ?? undefined));
        },
        resolve: (event: StoredEvent) => event,
      },
    },
    AuditEntry: {
      ts: (e: StoredEvent) => iso(e.ts),
      namespace: (e: StoredEvent) => e.namespace || null,
      // The audit log and the log subscription are not reads of Secrets: their data is redacted.
      object: (e: StoredEvent) => redactObject(e.kind, e.object),
    },
    ObjectVersion: {
      revision: (v: ObjectVersionRecord) => v.event.revision,
      ts: (v: ObjectVersionRecord) => iso(v.event.ts),
      actor: (v: ObjectVersionRecord) => v.event.actor,
      verb: (v: ObjectVersionRecord) => v.event.verb,
      type: (v: ObjectVersionRecord) => v.event.type,
      uid: (v: ObjectVersionRecord) => v.event.uid,
      object: (v: ObjectVersionRecord) => redactObject(v.event.kind, v.event.object),
      // The change is taken between the stored versions (a changed value shows as changed), then its values redacted.
      patch: (v: ObjectVersionRecord) => (v.previous ? redactPatch(v.event.kind, createPatch(v.previous, v.event.object)) : []),
    },
  };
}
