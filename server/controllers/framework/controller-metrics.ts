/**
 * The controller-manager's metrics (served by `--metrics-port`): per controller, the work queue's
 * depth, reconcile latency and reconcile errors. One registry per process, as the reconcilers of
 * every controller feed it.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const controllerRegistry = new Registry();
collectDefaultMetrics({ register: controllerRegistry });

/** The work queues to report, by controller (several reconcilers of one name add up). */
const queues = new Set<{ name: string; length(): number }>();

new Gauge({
  name: 'kubeql_controller_work_queue_depth',
  help: 'Keys waiting in each controller’s work queue.',
  labelNames: ['controller'] as const,
  registers: [controllerRegistry],
  collect() {
    this.reset();
    const depth = new Map<string, number>();
    for (const q of queues) depth.set(q.name, (depth.get(q.name) ?? 0) + q.length());
    for (const [controller, n] of depth) this.set({ controller }, n);
  },
});
const duration = new Histogram({
  name: 'kubeql_controller_reconcile_duration_seconds',
  help: 'Duration of each reconcile(key), successful or not.',
  labelNames: ['controller'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [controllerRegistry],
});
const errors = new Counter({
  name: 'kubeql_controller_reconcile_errors_total',
  help: 'Reconciles that failed (and were retried with backoff).',
  labelNames: ['controller'] as const,
  registers: [controllerRegistry],
});

export const controllerMetrics = {
  /** Reports a controller's queue depth until the returned function is called. */
  trackQueue(name: string, queue: { length(): number }): () => void {
    const entry = { name, length: () => queue.length() };
    queues.add(entry);
    return () => void queues.delete(entry);
  },
  reconciled(controller: string, seconds: number, failed: boolean): void {
    duration.observe({ controller }, seconds);
    if (failed) errors.inc({ controller });
  },
};
