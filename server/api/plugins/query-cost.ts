/**
 * The cost limit (DESIGN §7 Limits): a request may ask for at most `maxCost` stored objects. Each
 * object that comes from the store — a resource (Pod, Node, ...; the Resource union), an audit
 * entry, an object version: whatever a connection pages — costs 1, times the page it sits in
 * (`first`, read from the literal or from the variables; 500 when absent, the lists' default) and
 * times 110 for a relation list (`Node.pods`: the pods a node holds by default). Embedded
 * structure (metadata, spec, status, edges, pageInfo) costs nothing: it arrives with its object.
 * So a page of 5,000 pods with any of their fields costs 5,000, the same page with each pod's node
 * 10,000. It runs at execution, where variables are known (a validation rule sees only literals),
 * on HTTP and WebSocket alike.
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The page a list answers when `first` is absent (read-resolvers' DEFAULT_PAGE). */
export const DEFAULT_LIST_PAGE = 500;
/** What a relation list without paging is counted as: Kubernetes' default maximum of pods per node. */
export const RELATION_LIST_SIZE = 110;

/** The types whose objects come from the store: the `node` of every connection, and unions of them. */
function countedTypes(schema: GraphQLSchema): Set<string> {
  const counted = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.name.endsWith('Connection')) continue;
    const edges = type.getFields().edges;
    const edge = edges && getNamedType(edges.type);
    const node = edge && isObjectType(edge) ? edge.getFields().node : undefined;
    if (node) counted.add(getNamedType(node.type).name);
  }
  for (const type of Object.values(schema.getTypeMap()))
    if (isAbstractType(type) && schema.getPossibleTypes(type).every((t) => counted.has(t.name))) counted.add(type.name);
  return counted;
}

const countedBySchema = new WeakMap<GraphQLSchema, Set<string>>();

/** The cost of `document`'s operation with these variables. */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined, operationName?: string | null): number {
  let counted = countedBySchema.get(schema);
  if (!counted) countedBySchema.set(schema, (counted = countedTypes(schema)));
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations.find((o) => !operationName || o.name?.value === operationName) ?? operations[0];
  if (!operation) return 0;
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return 0;

  const pageOf = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : value === 0 ? 0 : DEFAULT_LIST_PAGE);

  const cost = (set: SelectionSetNode, parent: GraphQLCompositeType, spread: ReadonlySet<string>): number => {
    let total = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const on = s.typeCondition ? (schema.getType(s.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
        if (on) total += cost(s.selectionSet, on, spread);
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        const on = f && (schema.getType(f.typeCondition.name.value) as GraphQLCompositeType | undefined);
        if (f && on && !spread.has(f.name.value)) total += cost(f.selectionSet, on, new Set([...spread, f.name.value]));
        continue;
      }
      if (!s.selectionSet || !isObjectType(parent)) continue;
      const def = parent.getFields()[s.name.value];
      if (!def) continue;
      const type = getNamedType(def.type) as GraphQLNamedType;
      const first = s.arguments?.find((a) => a.name.value === 'first');
      let multiplier = 1;
      if (first) multiplier = pageOf(valueFromASTUntyped(first.value, variables ?? undefined));
      else if (def.args.some((a) => a.name === 'first')) multiplier = DEFAULT_LIST_PAGE;
      const own = counted.has(type.name) ? 1 : 0;
      // A list of stored objects that is not paged (a relation); lists of structure (edges, containers) are as long as their parent's page.
      if (!first && own && isListType(getNullableType(def.type))) multiplier = RELATION_LIST_SIZE;
      const children = cost(s.selectionSet, type as GraphQLCompositeType, spread);
      if (own + children > 0) total += multiplier * (own + children);
    }
    return total;
  };
  return cost(operation.selectionSet, root, new Set());
}

function tooComplex(maxCost: number, found: number): GraphQLError {
  return new GraphQLError(`Query cost limit of ${maxCost} exceeded, found ${found}: a request may ask for at most ${maxCost} stored objects (each object times the page it sits in; ask for smaller pages with first)`, {
    extensions: { code: 'TOO_COMPLEX', cost: found, maxCost },
  });
}

export function queryCostPlugin(maxCost: number): Plugin {
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: Record<string, unknown> | null; operationName?: string | null }) => {
    const found = queryCost(args.schema, args.document, args.variableValues, args.operationName);
    return found > maxCost ? tooComplex(maxCost, found) : undefined;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
