/**
 * Priority levels for GraphQL requests over HTTP, after Kubernetes' API Priority and Fairness: each
 * level has its own seats (requests executing at once) and its own bounded queue, fair between
 * flows (identities: round robin), so a storm of requests in one level cannot starve another.
 *
 * - `node-heartbeat`: a node identity (system:node:<name>) renewing its Lease or writing its Node's
 *   status, alone in a small request: over GraphQL a mutation of heartbeat fields only, over the
 *   REST API (as kubelet sends them) a PUT or PATCH of its own Lease in kube-node-lease or of its
 *   Node's status, or a POST of a Lease there, in a body of declared length up to 16 KiB. Bounded per node (one executing, one waiting) so that
 *   a node cannot use the level for more than its heartbeat; its own rate budget in the rate limiter too.
 * - `workload`: everything else.
 *
 * Past a level's queue (per flow or in all), a request answers RATE_LIMITED (HTTP 429, Retry-After).
 * The class of each admitted request is kept for the request's context (`priorityOf`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { Identity } from '../auth/identity.js';
import { nodeNameOf } from '../auth/identity.js';
import { NODE_LEASE_NAMESPACE } from '../../resources/kinds/lease.js';
import { status } from '../rest/status.js';
import type { ReadOperation } from './fast-json-post.js';

export type PriorityLevelName = 'node-heartbeat' | 'workload';

export interface PriorityLevelLimits {
  /** Requests executing at once. */
  seats: number;
  /** Requests waiting, in all. */
  queueLength: number;
  /** Requests waiting per flow. */
  queueLengthPerFlow: number;
  /** Requests executing at once per flow. */
  seatsPerFlow: number;
}

/**
 * The heartbeat level's seats are many because its requests are few and small: a node has at most
 * one executing and one waiting, and its heartbeat budget in the rate limiter. A seat is held while
 * the request waits for its group commit, so seats / latency is the level's throughput: 32 seats
 * carried 5,000 nodes' 500 renewals a second only while a renewal took under 64 ms, and under load
 * the renewals queued until Leases expired. 512 match the agents' largest heartbeat pool.
 */
export const DEFAULT_PRIORITY_LEVELS: Record<PriorityLevelName, PriorityLevelLimits> = {
  'node-heartbeat': { seats: 512, queueLength: 10_000, queueLengthPerFlow: 1, seatsPerFlow: 1 },
  workload: { seats: 256, queueLength: 10_000, queueLengthPerFlow: 5_000, seatsPerFlow: 256 },
};

/** The root fields of a heartbeat. */
const HEARTBEAT_FIELDS = new Set(['createLease', 'updateLease', 'patchLease', 'updateNodeStatus', 'patchNode', 'patchNodeStatus']);
/** A heartbeat is a small request (a Lease or a Node status); larger ones are not classed as one. */
const HEARTBEAT_MAX_BYTES = 16 * 1024;

const classes = new WeakMap<IncomingMessage, PriorityLevelName>();
const identities = new WeakMap<IncomingMessage, Identity | undefined>();

/** The level a request was admitted at (workload if it was not seen here). */
export const priorityOf = (req: IncomingMessage | undefined): PriorityLevelName => (req && classes.get(req)) || 'workload';

/** The identity a request was admitted as, if it was (its token is then not looked up a second time). */
export const admittedIdentity = (req: IncomingMessage | undefined): { identity: Identity | undefined } | undefined =>
  req && identities.has(req) ? { identity: identities.get(req) } : undefined;

/** Query texts already classified (a kubelet sends the same few texts every time); bounded. */
const heartbeatQueries = new Map<string, boolean>();
const MAX_CACHED_QUERIES = 256;

/** Whether a request's operation (read by the fast path) is a small mutation whose root fields are all heartbeat writes. */
function isHeartbeatOperation({ query, bytes }: ReadOperation): boolean {
  if (bytes > HEARTBEAT_MAX_BYTES) return false;
  const known = heartbeatQueries.get(query);
  if (known !== undefined) return known;
  const answer = isHeartbeatQuery(query);
  if (heartbeatQueries.size >= MAX_CACHED_QUERIES) heartbeatQueries.clear();
  heartbeatQueries.set(query, answer);
  return answer;
}

/** A REST request on an object: its method, the kind of its resource, where it points, and its body's declared size. */
export interface RestTarget {
  method: string;
  kind: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Content-Length; undefined for a body of undeclared length (chunked). */
  bytes?: number;
}

/** Whether a REST request is `node`'s heartbeat: kubelet's writes of its Lease and of its Node's status, in a small body of declared length. */
export function isHeartbeatRoute(t: RestTarget, node: string): boolean {
  if (t.bytes === undefined || t.bytes > HEARTBEAT_MAX_BYTES) return false;
  const write = t.method === 'PUT' || t.method === 'PATCH';
  if (t.kind === 'Lease' && t.namespace === NODE_LEASE_NAMESPACE && t.subresource === undefined) return (write && t.name === node) || (t.method === 'POST' && t.name === undefined);
  return t.kind === 'Node' && write && t.name === node && t.subresource === 'status';
}

function isHeartbeatQuery(query: string): boolean {
  try {
    const doc = parse(query, { maxTokens: 500 });
    const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (ops.length !== 1 || doc.definitions.length !== 1 || ops[0].operation !== 'mutation') return false;
    const fields = ops[0].selectionSet.selections;
    return fields.length > 0 && fields.length <= 2 && fields.every((s) => s.kind === Kind.FIELD && HEARTBEAT_FIELDS.has(s.name.value));
  } catch {
    return false;
  }
}

interface Waiting {
  run: () => void;
  res: ServerResponse;
}

function createLevel(name: PriorityLevelName, limits: PriorityLevelLimits) {
  let executing = 0;
  let queued = 0;
  const executingPerFlow = new Map<string, number>();
  /** Waiting requests per flow, and the flows with some, in round-robin order. */
  const waiting = new Map<string, Waiting[]>();

  function finish(flow: string): void {
    executing--;
    const n = (executingPerFlow.get(flow) ?? 1) - 1;
    if (n > 0) executingPerFlow.set(flow, n);
    else executingPerFlow.delete(flow);
    dispatch();
  }

  function start(flow: string, w: Waiting): void {
    executing++;
    executingPerFlow.set(flow, (executingPerFlow.get(flow) ?? 0) + 1);
    let done = false;
    w.res.once('close', () => {
      if (done) return;
      done = true;
      finish(flow);
    });
    w.run();
  }

  /** Starts waiting requests while seats are free: one per flow in turn. */
  function dispatch(): void {
    while (executing < limits.seats && queued > 0) {
      let started = false;
      for (const [flow, list] of waiting) {
        if (executing >= limits.seats) break;
        if ((executingPerFlow.get(flow) ?? 0) >= limits.seatsPerFlow) continue;
        const w = list.shift()!;
        queued--;
        waiting.delete(flow);
        if (list.length > 0) waiting.set(flow, list); // to the back of the round
        started = true;
        if (!w.res.destroyed) start(flow, w);
      }
      if (!started) break;
    }
  }

  return {
    name,
    stats: () => ({ executing, queued }),
    /** Runs `w` now, queues it, or answers false when the queue is full. */
    admit(flow: string, w: Waiting): boolean {
      if (executing < limits.seats && !waiting.has(flow) && (executingPerFlow.get(flow) ?? 0) < limits.seatsPerFlow) {
        start(flow, w);
        return true;
      }
      const list = waiting.get(flow) ?? [];
      if (queued >= limits.queueLength || list.length >= limits.queueLengthPerFlow) return false;
      list.push(w);
      queued++;
      waiting.set(flow, list);
      // A client that gives up while waiting leaves its place.
      w.res.once('close', () => {
        const i = list.indexOf(w);
        if (i < 0) return;
        list.splice(i, 1);
        queued--;
        if (list.length === 0 && waiting.get(flow) === list) waiting.delete(flow);
      });
      return true;
    },
  };
}

export type PriorityLevels = ReturnType<typeof createPriorityLevels>;

export function createPriorityLevels(authenticate: (authorization: string | undefined) => Identity | undefined, limits: Partial<Record<PriorityLevelName, Partial<PriorityLevelLimits>>> = {}) {
  const levels = {
    'node-heartbeat': createLevel('node-heartbeat', { ...DEFAULT_PRIORITY_LEVELS['node-heartbeat'], ...limits['node-heartbeat'] }),
    workload: createLevel('workload', { ...DEFAULT_PRIORITY_LEVELS.workload, ...limits.workload }),
  };

  /** The answer past a level's queue: RATE_LIMITED with Retry-After, in the door's own shape (`body`). */
  function reject(res: ServerResponse, level: PriorityLevelName, body: (message: string) => string): void {
    if (res.headersSent || res.destroyed) return;
    const text = body(`the server is busy: the ${level} priority level's queue is full; retry later`);
    res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Authenticates, classes (a heartbeat when `heartbeatOf` says so of the node the identity is) and admits. */
  function admit(req: IncomingMessage, res: ServerResponse, heartbeatOf: (node: string) => boolean, run: () => void, refused: (message: string) => string): void {
    const identity = authenticate(req.headers.authorization);
    const flow = identity?.name ?? '';
    const node = identity && nodeNameOf(identity);
    const level: PriorityLevelName = node !== undefined && heartbeatOf(node) ? 'node-heartbeat' : 'workload';
    classes.set(req, level);
    identities.set(req, identity);
    if (!levels[level].admit(flow, { run, res })) reject(res, level, refused);
  }

  return {
    levels,
    /**
     * Admits a GraphQL request: `operation` is its operation's text and its body's size when the
     * fast path read them, else undefined (it can then only be workload). `run` handles it once it has a seat.
     */
    schedule(req: IncomingMessage, res: ServerResponse, operation: ReadOperation | undefined, run: () => void): void {
      admit(req, res, () => operation !== undefined && isHeartbeatOperation(operation), run, (message) => JSON.stringify({ errors: [{ message, extensions: { code: 'RATE_LIMITED' } }] }));
    },
    /** Admits a REST request on an object (`target`); refused, it answers a Status (TooManyRequests). */
    scheduleRest(req: IncomingMessage, res: ServerResponse, target: RestTarget, run: () => void): void {
      admit(req, res, (node) => isHeartbeatRoute(target, node), run, (message) =>
        JSON.stringify(status(429, 'TooManyRequests', message, { retryAfterSeconds: 1 })),
      );
    },
  };
}
