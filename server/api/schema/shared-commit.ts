/**
 * The mutations of one GraphQL document share one commit. GraphQL runs a document's mutation fields
 * one after another, each awaiting its own write, so a document of N creates (the mutation batcher
 * sends up to 25) waited for N commits and, under group commit, N fsyncs in sequence. Here the first
 * field of a document whose root fields are all single-write mutations (marked with `oneWrite`)
 * calls every sibling's resolver at once, in document order: their writes queue in the same turn
 * of the event loop, and the group commit runs them as one transaction, a savepoint each,
 * in order, with one sync. The executor then takes each field's result in turn, as before.
 *
 * What GraphQL's serial execution promises stays true:
 *  - order: each field's write sees the writes of the fields before it (one transaction, in order);
 *  - a field that fails ends the document: the writes queued after a failed one are not run (every
 *    marked field is non-null, so the executor stops at the failure and never asks for them);
 *  - a field that fails before its write (bad input, authorization) stops the look-ahead; it and
 *    the fields after it run when the executor reaches them, as without look-ahead.
 * What differs: a field's selection is completed once the whole document's writes are committed,
 * so a read in it (a relation such as Pod.node) already sees the later fields' writes. Writes that
 * change what a later field may do (RBAC kinds) are not marked, so their documents run as before.
 */
import { Kind, getArgumentValues, isNonNullType, type FieldNode, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Store, WriteTx } from '../../store/types.js';

type Resolver = GraphQLFieldResolver<unknown, { store: Store }>;

/** The field extension that marks a single-write mutation. */
const ONE_WRITE = 'kubeqlOneWrite';

/**
 * A mutation resolver that makes exactly one store write, queued before its first await, and fails
 * its field when that write throws, as a field config for the resolver map: with `sharesCommit`
 * (its `extensions` mark it), the fields of its documents may share one commit.
 */
export function oneWrite<F extends (...args: any[]) => unknown>(resolve: F, sharesCommit = true): { resolve: F; extensions: Record<string, unknown> } {
  return { resolve, extensions: sharesCommit ? { [ONE_WRITE]: true } : {} };
}

/** A field of the document other than the first, as the look-ahead calls it. */
interface Sibling {
  node: FieldNode;
  key: string;
}

/** Per request: the results of the fields the look-ahead ran, by response key. */
interface DocumentWrites {
  operation: OperationDefinitionNode;
  ahead: Map<string, unknown>;
}

/** Thrown into a write queued after a failed one of its document, so that it writes nothing (no client sees it: the document ended at the failure). */
class AfterFailedWrite extends Error {
  constructor() {
    super('not run: an earlier mutation of the same document failed');
  }
}

const noop = () => {};

/**
 * Wraps the schema's marked mutation resolvers (in place: the schema is built for this server) so
 * that a document of several of them shares one commit.
 */
export function shareDocumentCommits(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  if (!mutation) return schema;
  const fields = mutation.getFields();
  const own = new Map<string, Resolver>();
  for (const [name, field] of Object.entries(fields)) if (field.extensions?.[ONE_WRITE] === true && field.resolve && isNonNullType(field.type)) own.set(name, field.resolve as Resolver);
  /** Per operation (documents are parsed once and cached): its siblings, or null when it does not qualify. */
  const plans = new WeakMap<OperationDefinitionNode, Sibling[] | null>();
  const documents = new WeakMap<object, DocumentWrites>();

  function planOf(operation: OperationDefinitionNode): Sibling[] | null {
    let plan = plans.get(operation);
    if (plan !== undefined) return plan;
    plan = null;
    const selections = operation.selectionSet.selections;
    if (operation.operation === 'mutation' && selections.length > 1) {
      const fieldNodes: FieldNode[] = [];
      for (const s of selections) if (s.kind === Kind.FIELD && !s.directives?.length && own.has(s.name.value)) fieldNodes.push(s);
      const keys = new Set(fieldNodes.map((n) => (n.alias ?? n.name).value));
      if (fieldNodes.length === selections.length && keys.size === fieldNodes.length) plan = fieldNodes.slice(1).map((node) => ({ node, key: (node.alias ?? node.name).value }));
    }
    plans.set(operation, plan);
    return plan;
  }

  function wrap(resolve: Resolver): Resolver {
    return (source, args, ctx, info) => {
      // The first root field of a qualifying document starts its look-ahead (afresh on every execution).
      const plan = info.path.prev === undefined ? planOf(info.operation) : null;
      if (plan) {
        const first = info.operation.selectionSet.selections[0] as FieldNode;
        if ((first.alias ?? first.name).value === info.path.key) return lookAhead(resolve, plan, source, args, ctx, info);
        const doc = documents.get(ctx);
        const key = info.path.key as string;
        if (doc?.operation === info.operation && doc.ahead.has(key)) {
          const result = doc.ahead.get(key);
          doc.ahead.delete(key);
          return result;
        }
      }
      return resolve(source, args, ctx, info);
    };
  }

  /** Runs the first field and as many siblings as queue their write, with ctx.store chaining their writes. */
  function lookAhead(resolve: Resolver, plan: Sibling[], source: unknown, args: Record<string, unknown>, ctx: { store: Store }, info: GraphQLResolveInfo): unknown {
    const doc: DocumentWrites = { operation: info.operation, ahead: new Map() };
    documents.set(ctx, doc);
    const store = ctx.store;
    let failed = false;
    let writes = 0;
    // The document's writes in order: once one has thrown, the later ones write nothing.
    const chained = Object.assign(Object.create(store) as Store, {
      write<T>(fn: (tx: WriteTx) => T): Promise<T> {
        writes++;
        return store.write((tx) => {
          if (failed) throw new AfterFailedWrite();
          try {
            return fn(tx);
          } catch (error) {
            failed = true;
            throw error;
          }
        });
      },
    });
    ctx.store = chained;
    try {
      const result = resolve(source, args, ctx, info);
      if (writes !== 1) return result;
      for (const { node, key } of plan) {
        const field = info.parentType.getFields()[node.name.value];
        const before: number = writes;
        let value: unknown;
        try {
          value = own.get(node.name.value)!(source, getArgumentValues(field, node, info.variableValues), ctx, {
            ...info,
            fieldName: node.name.value,
            fieldNodes: [node],
            returnType: field.type,
            path: { prev: undefined, key, typename: info.parentType.name },
          });
        } catch (error) {
          // Failed before its write: the executor runs it again when it gets there. After it (not expected of a marked resolver): its answer is this error.
          if (writes === before) break;
          value = Promise.reject(error);
        }
        if (writes === before) {
          // No write queued (it failed before its write, or is not the resolver it was marked as): this field and the rest run in turn.
          (value as Promise<unknown> | undefined)?.then?.(noop, noop);
          break;
        }
        // Never awaited when an earlier field fails: handled here, so that it is not an unhandled rejection.
        (value as Promise<unknown> | undefined)?.then?.(noop, noop);
        doc.ahead.set(key, value);
      }
      return result;
    } finally {
      ctx.store = store;
    }
  }

  for (const [name, resolve] of own) fields[name].resolve = wrap(resolve);
  return schema;
}
