/**
 * The scheduler's metrics (served by `--metrics-port`): scheduling attempts by result and their
 * latency (decision, plus the bind for a pod that fits), and the pods waiting in each queue.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

export interface SchedulerMetrics {
  registry: Registry;
  attempt(result: AttemptResult, seconds: number): void;
}

export function createSchedulerMetrics(queueCounts: () => Record<string, number>): SchedulerMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const attempts = new Counter({ name: 'kubeql_scheduler_schedule_attempts_total', help: 'Scheduling attempts by result.', labelNames: ['result'] as const, registers });
  const latency = new Histogram({
    name: 'kubeql_scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency: the decision, and the bind for a pod that fits.',
    labelNames: ['result'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  new Gauge({
    name: 'kubeql_scheduler_pending_pods',
    help: 'Pods waiting to be scheduled, by queue (active, backoff, unschedulable).',
    labelNames: ['queue'] as const,
    registers,
    collect() {
      for (const [queue, n] of Object.entries(queueCounts())) this.set({ queue }, n);
    },
  });
  for (const result of ['scheduled', 'unschedulable', 'error'] as const) attempts.inc({ result }, 0);
  return {
    registry,
    attempt(result, seconds) {
      attempts.inc({ result });
      latency.observe({ result }, seconds);
    },
  };
}
