/**
 * Many simulated nodes in one process. Per-agent cost stays small: agents share API clients (one
 * HTTP/WebSocket client per `agentsPerConnection` agents), one work queue for pod changes, one
 * Node informer (to re-post Ready when needed) and the proxy's Service and Endpoints informers;
 * each agent keeps only its own pod informer (the kubelet's `spec.nodeName` watch), its Lease
 * timer and its IP pool.
 *
 * Connections stay bounded whatever the node count. Every client of the process sends its HTTP
 * requests over two shared keep-alive pools, each request with its own node's token: heartbeats
 * (Lease renewals, Node status) on a small pool of their own, so that they never wait behind the
 * pods' status writes and events (the priority level the API server gives them, on the client's
 * side too), and everything else on the workload pool. Each node's watch has a WebSocket of its own
 * (its identity is the connection's), opened through one gate a few at a time.
 */
import { createKubeqlClient, requestTimeoutFromEnv, type KubeqlClient } from '../client/client.js';
import { createConnectGate } from '../client/connect-gate.js';
import { createConnectionPool } from '../client/connection-pool.js';
import { createEventRecorderCaches } from '../client/event-recorder.js';
import { createInformer } from '../client/informer.js';
import { createWorkQueue } from '../client/work-queue.js';
import { DEFAULT_AGENT_SETTINGS, type AgentSettings } from './agent-settings.js';
import { NodeAgent, podWritesFor, type PodWrites } from './node-agent.js';
import { issueNodeTokens } from './node-tokens.js';
import { ProxyRoutes } from './proxy-routes.js';

/**
 * The agents' graphql-ws pings, one a minute per socket rather than the client's default 10 s: the
 * API server pings each socket itself every 12 s. Profiled with 5,000 nodes, answering the agents'
 * pings (500 a second) took 17% of the API server's CPU. It is also how long the server may leave
 * connection_ack or a pong unanswered before the socket is given up: a server busy with thousands
 * of sockets must not send them all round to connect again.
 */
const SOCKET_PING_MS = 60_000;

/**
 * How long the agents' HTTP requests may wait for their answer once sent: 5 minutes, not the
 * client's 60 s (KUBEQL_REQUEST_TIMEOUT_MS still sets it). Over HTTP/1.1 a request given up takes
 * its connection with it, and the pool opens another for the next request, which costs the server
 * an accept: it accepts one connection per turn of its event loop, and those turns are long when it
 * is overloaded. In a 5,000-node registration on a starved server, renewals answered after 60 s had
 * their connections cut by hundreds at a time; the new ones waited in the accept queue past their
 * own 60 s and were cut in turn, 2,250 connections for 313 places, while the queue held 1,000
 * abandoned connections in front of every live one. A server that is slow is waited for; one that
 * is gone resets its connections and fails requests at once.
 */
const AGENT_REQUEST_TIMEOUT_MS = 300_000;

/** Event keys the agents process remembers for aggregation, for all its nodes together (four kubelets' worth). */
const EVENT_CACHE_SIZE = 16_384;

export interface AgentsOptions extends Partial<AgentSettings> {
  server: string;
  token?: string;
  nodes: number;
  /** Node names are `<prefix><i>` (default `node-`). */
  prefix?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  /** Nodes go round-robin into this many zones, `zone-0`... (0: no zone label). */
  zones?: number;
  /**
   * Each agent acts as system:node:<name> with a token of its own, minted with `token` (a bootstrap
   * token: create nodes/token). Agents then share nothing that writes: one client per agent.
   */
  nodeTokens?: boolean;
  /** Agents sharing one API client (and its WebSocket) (default 50; 1 with nodeTokens). */
  agentsPerConnection?: number;
  /** Agents registering at once at start (default 32). */
  startupConcurrency?: number;
  /** Pod changes processed at once across all agents (default 500; their writes go out batched per client). */
  concurrency?: number;
  /** HTTP connections of the process to the API server: heartbeats (default heartbeatConnectionsFor(nodes)) and the rest (default 64). */
  connections?: { heartbeat?: number; workload?: number };
  /**
   * WebSocket handshakes in progress at once across all agents (default 64). A handshake is three
   * turns of a busy server's event loop (accept, upgrade, connection_init) and little of its CPU:
   * with 16 at once, the 5,000-node rollout's last 1,500 node watches took 200 s to connect, and
   * those nodes' pods waited for them to start.
   */
  handshakes?: number;
  log?: (line: string) => void;
}

/**
 * The heartbeat pool's size for `nodes` nodes: one connection per 16 nodes, at least 32 and at most
 * 512 (the API server's seats for heartbeats). A connection carries one request at a time, so the
 * pool carries connections / latency renewals a second: 5,000 nodes renewing every 10 s ask 500 a
 * second, which 32 connections carry only while a renewal takes under 64 ms. Under load it takes
 * hundreds: the rest waited in the pool, every node's renewals came later and later, and its Lease
 * expired while the server was merely slow. 313 connections at 5,000 nodes carry them up to about
 * 600 ms a renewal, and are opened once (kept alive, used in turn).
 */
export const heartbeatConnectionsFor = (nodes: number) => Math.min(512, Math.max(32, Math.ceil(nodes / 16)));

export async function startAgents(options: AgentsOptions) {
  const settings: AgentSettings = {
    leaseIntervalMs: options.leaseIntervalMs ?? DEFAULT_AGENT_SETTINGS.leaseIntervalMs,
    leaseDurationSeconds: options.leaseDurationSeconds ?? DEFAULT_AGENT_SETTINGS.leaseDurationSeconds,
    deletionGraceMs: options.deletionGraceMs ?? DEFAULT_AGENT_SETTINGS.deletionGraceMs,
  };
  const log = options.log ?? (() => {});
  const prefix = options.prefix ?? 'node-';
  const names = Array.from({ length: options.nodes }, (_, i) => `${prefix}${i}`);
  const nodeTokens = options.nodeTokens ? await issueNodeTokens(options.server, options.token, names) : undefined;
  const perConnection = nodeTokens ? 1 : Math.max(1, options.agentsPerConnection ?? 50);
  const pools = {
    heartbeat: createConnectionPool({ maxSockets: options.connections?.heartbeat ?? heartbeatConnectionsFor(options.nodes) }),
    workload: createConnectionPool({ maxSockets: options.connections?.workload ?? 64 }),
  };
  const connectGate = createConnectGate({ concurrency: options.handshakes ?? 64 });
  const requestTimeoutMs = requestTimeoutFromEnv(AGENT_REQUEST_TIMEOUT_MS);
  const clients: KubeqlClient[] = [];
  const heartbeatClients: KubeqlClient[] = [];
  const writes: PodWrites[] = [];
  const tokenFor = (i: number) => nodeTokens?.get(names[i]) ?? options.token;
  const clientFor = (i: number) =>
    (clients[Math.floor(i / perConnection)] ??= createKubeqlClient({ server: options.server, token: tokenFor(i), pool: pools.workload, requestTimeoutMs, connectGate, idleSocketMs: 30_000, keepAliveMs: SOCKET_PING_MS }));
  // Heartbeats never subscribe: this client opens no WebSocket.
  const heartbeatClientFor = (i: number) => (heartbeatClients[Math.floor(i / perConnection)] ??= createKubeqlClient({ server: options.server, token: tokenFor(i), pool: pools.heartbeat, requestTimeoutMs }));
  const writesFor = (i: number) => (writes[Math.floor(i / perConnection)] ??= podWritesFor(clientFor(i)));
  const shared = clientFor(0);

  const agents = new Map<string, NodeAgent>();
  const queue = createWorkQueue(
    async (key) => {
      const [node, namespace, name] = key.split('/');
      await agents.get(node)?.reconcile(namespace, name);
    },
    { concurrency: options.concurrency ?? 500, qps: 200, burst: 1000 },
  );

  // A kubelet's recorder remembers 4,096 recent events for aggregation; kept per node, 5,000 nodes
  // held every pod's Pulled, Created and Started: about a third of this process's heap in a snapshot
  // at 1,000 nodes and 30,000 pods. One LRU for the process bounds it; repeats of recent events
  // still fold together.
  const eventCaches = createEventRecorderCaches(EVENT_CACHE_SIZE);
  const nodeInformer = createInformer(shared, 'Node');
  const services = createInformer(shared, 'Service');
  const endpoints = createInformer(shared, 'Endpoints');
  const proxy = new ProxyRoutes(services, endpoints);
  nodeInformer.events$.subscribe((e) => agents.get(e.object.metadata.name)?.onNodeChanged(e.type === 'DELETED' ? undefined : e.object));
  for (const informer of [nodeInformer, services, endpoints]) informer.start();

  const zones = options.zones ?? 0;
  for (let i = 0; i < options.nodes; i++) {
    const name = `${prefix}${i}`;
    const ctx = { client: clientFor(i), heartbeatClient: heartbeatClientFor(i), podWrites: writesFor(i), settings, eventCaches, enqueue: queue.add, log };
    agents.set(name, new NodeAgent({ name, zone: zones > 0 ? `zone-${i % zones}` : undefined, cpu: options.cpu ?? '4', memory: options.memory ?? '8Gi', pods: options.pods ?? '110' }, ctx));
  }

  // Register in waves; an agent whose server is not up yet retries until it is.
  let stopped = false;
  const pending = [...agents.values()];
  const startOne = async (agent: NodeAgent): Promise<void> => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        return await agent.start();
      } catch (error) {
        if (attempt % 10 === 0) log(`${agent.name}: not registered yet (${(error as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
    }
  };
  const workers = Array.from({ length: Math.min(options.startupConcurrency ?? 32, pending.length) }, async () => {
    for (let agent = pending.shift(); agent; agent = pending.shift()) await startOne(agent);
  });
  const started = Promise.all(workers).then(() => undefined);

  return {
    agents,
    proxy,
    /** Resolves when every agent has registered and synced its pods. */
    started,
    nodes: () =>
      [...agents.values()].map((a) => ({
        name: a.name,
        podCIDR: a.ipPool?.cidr,
        address: a.address,
        pods: a.pods?.cache.size ?? 0,
        podIPs: a.ipPool?.size ?? 0,
        leaseRenewals: a.lease?.renewals ?? 0,
      })),
    /** The process's connections to the API server: HTTP per pool (open now, opened so far, requests waiting), WebSocket handshakes. */
    connections: () => ({
      http: Object.fromEntries(Object.entries(pools).map(([name, p]) => [name, { open: p.open(), opened: p.opened, waiting: p.waiting(), max: p.maxSockets }])),
      webSocket: { ...connectGate.stats },
    }),
    async stop(): Promise<void> {
      stopped = true;
      queue.shutdown();
      for (const a of agents.values()) a.stop();
      proxy.stop();
      for (const informer of [nodeInformer, services, endpoints]) informer.stop();
      await Promise.all(clients.map((c) => c.close()));
      for (const pool of Object.values(pools)) pool.destroy();
    },
  };
}

export type RunningAgents = Awaited<ReturnType<typeof startAgents>>;
