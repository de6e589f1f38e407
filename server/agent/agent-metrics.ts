/** The agents process's metrics (served by `--metrics-port`): pods per phase per node, read from each agent's pod cache when scraped. */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Pod } from '../resources/objects.js';

export interface AgentView {
  name: string;
  pods?: { cache: { list(): Pod[] } };
}

export function createAgentMetrics(agents: () => Iterable<AgentView>): Registry {
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
  return registry;
}
