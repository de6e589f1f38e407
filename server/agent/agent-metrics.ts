/**
 * The agents process's metrics (served by `--metrics-port`): pods per phase per node, read from each
 * agent's pod cache when scraped, and the process's connections to the API server.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Pod } from '../resources/objects.js';

export interface AgentView {
  name: string;
  pods?: { cache: { list(): Pod[] } };
}

/** The process's connections, as RunningAgents.connections() counts them. */
export interface ConnectionsView {
  http: Record<string, { open: number; opened: number; waiting: number }>;
  webSocket: { started: number };
}

export function createAgentMetrics(agents: () => Iterable<AgentView>, connections?: () => ConnectionsView): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'kubeql_agent_pods',
    help: 'Pods bound to each node, by phase.',
    labelNames: ['node', 'phase'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const agent of agents()) {
        const phases = new Map<string, number>(['Pending', 'Running', 'Succeeded', 'Failed'].map((p) => [p, 0]));
        for (const pod of agent.pods?.cache.list() ?? []) {
          const phase = pod.status?.phase || 'Pending';
          phases.set(phase, (phases.get(phase) ?? 0) + 1);
        }
        for (const [phase, n] of phases) this.set({ node: agent.name, phase }, n);
      }
    },
  });
  if (connections) {
    new Gauge({
      name: 'kubeql_agent_http_connections',
      help: 'HTTP connections to the API server open now, per pool (heartbeat, workload).',
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        for (const [pool, c] of Object.entries(connections().http)) this.set({ pool }, c.open);
      },
    });
    new Gauge({
      name: 'kubeql_agent_http_connections_opened',
      help: 'HTTP connections to the API server opened since start, per pool: steady under a steady load.',
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        for (const [pool, c] of Object.entries(connections().http)) this.set({ pool }, c.opened);
      },
    });
    new Gauge({
      name: 'kubeql_agent_http_requests_waiting',
      help: 'Requests waiting for a free connection, per pool.',
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        for (const [pool, c] of Object.entries(connections().http)) this.set({ pool }, c.waiting);
      },
    });
    new Gauge({
      name: 'kubeql_agent_websocket_handshakes',
      help: 'WebSocket handshakes started since start (one per node watch; more means sockets were opened again).',
      registers: [registry],
      collect() {
        this.set(connections().webSocket.started);
      },
    });
  }
  return registry;
}
