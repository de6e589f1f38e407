/**
 * The API server's metrics (DESIGN §7 "Metrics"), in a registry of its own (several servers may
 * share a process in tests): request latency per verb, kind and code; the log's head, floor,
 * appended events, append (group-commit batch) latency and file sizes; watchers per kind, watch
 * backlog, slow-consumer terminations, open subscriptions. Gauges are read when scraped.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { databaseFileSizes } from '../../store/sqlite/file-sizes.js';
import type { Store, StoredEvent } from '../../store/types.js';
import type { IdentityClass } from '../auth/identity.js';

export interface ApiMetricsSources {
  dataDir: string;
  /** Every kind's name, so that `kubeql_watchers` shows a 0 for a kind nobody watches. */
  kinds: readonly string[];
  /** Read at scrape time (the parts may be created after the metrics). */
  store(): Store;
  watchersByKind(): Map<string, number>;
  webSockets(): { subscriptionCount(): number; connectionCount(): number };
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createApiMetrics(sources: ApiMetricsSources) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'kubeql_request_duration_seconds',
    help: 'GraphQL operations by verb and kind of their root field, and the code of their first error (OK without one).',
    labelNames: ['verb', 'kind', 'code'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'kubeql_log_head_revision',
    help: 'Revision of the newest event in the log.',
    registers,
    collect() {
      this.set(sources.store().head());
    },
  });
  new Gauge({
    name: 'kubeql_log_floor_revision',
    help: 'Compaction floor: reads and watches from below it are EXPIRED.',
    registers,
    collect() {
      this.set(sources.store().floor());
    },
  });
  const appended = new Counter({ name: 'kubeql_events_appended_total', help: 'Events appended to the log.', labelNames: ['verb', 'kind'] as const, registers });
  const appendDuration = new Histogram({
    name: 'kubeql_append_duration_seconds',
    help: 'Duration of each group-commit transaction (one fsync for every write in it).',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const appendBatch = new Histogram({
    name: 'kubeql_append_batch_writes',
    help: 'Writes (mutations) committed together in one group-commit transaction.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers,
  });
  new Gauge({
    name: 'kubeql_database_size_bytes',
    help: 'Size of the SQLite database file.',
    registers,
    collect() {
      this.set(databaseFileSizes(sources.dataDir).database);
    },
  });
  new Gauge({
    name: 'kubeql_wal_size_bytes',
    help: 'Size of the SQLite write-ahead log file.',
    registers,
    collect() {
      this.set(databaseFileSizes(sources.dataDir).wal);
    },
  });
  new Gauge({
    name: 'kubeql_watchers',
    help: 'Open watches by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      const counts = sources.watchersByKind();
      for (const kind of new Set([...sources.kinds, ...counts.keys()])) this.set({ kind }, counts.get(kind) ?? 0);
    },
  });
  const backlog = new Histogram({
    name: 'kubeql_watch_backlog_events',
    help: 'How many events behind the head a lagging watcher is each time it resumes catching up (or is ended for it).',
    buckets: [0, 1, 10, 100, 1_000, 10_000, 100_000],
    registers,
  });
  const slowConsumers = new Counter({
    name: 'kubeql_watch_slow_consumer_terminations_total',
    help: 'Watches ended with SLOW_CONSUMER.',
    registers,
  });
  new Gauge({
    name: 'kubeql_subscriptions',
    help: 'Open GraphQL subscriptions over WebSocket (watches and others).',
    registers,
    collect() {
      this.set(sources.webSockets().subscriptionCount());
    },
  });
  const pingTimeouts = new Counter({
    name: 'kubeql_websocket_ping_timeouts_total',
    help: 'graphql-ws connections dropped for a ping left unanswered for a whole interval (the client then connects again), by client (node, serviceaccount, user, unauthenticated) and whether the ping had been written to the socket (no: it waited behind the connection\'s outgoing bytes).',
    labelNames: ['client', 'ping'] as const,
    registers,
  });
  new Gauge({
    name: 'kubeql_websocket_connections',
    help: 'Open graphql-ws connections.',
    registers,
    collect() {
      this.set(sources.webSockets().connectionCount());
    },
  });

  return {
    registry,
    /** Observes one GraphQL operation. */
    request(labels: { verb: string; kind: string; code: string }, seconds: number): void {
      requestDuration.observe(labels, seconds);
    },
    /** The store's onCommit listener. */
    eventsCommitted(_head: number, events: readonly StoredEvent[]): void {
      for (const e of events) appended.inc({ verb: e.verb, kind: e.kind });
    },
    /** The store's onBatch observer. */
    appendBatch(writes: number, durationMs: number): void {
      appendDuration.observe(durationMs / 1000);
      appendBatch.observe(writes);
    },
    /** The watch engine's hooks. */
    watchHooks: {
      onBacklog: (events: number) => backlog.observe(events),
      onSlowConsumer: () => slowConsumers.inc(),
    },
    /** The WebSocket server's hooks. */
    webSocketHooks: {
      /** `client` is who the connection authenticated as, by class (never a name: the labels stay few). */
      onPingTimeout: (client: IdentityClass | 'unauthenticated', pingWritten: boolean) =>
        pingTimeouts.inc({ client, ping: pingWritten ? 'written' : 'unwritten' }),
    },
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
