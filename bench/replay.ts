/**
 * Replay: 1,000,000 events written through the store (big group-committed jobs, synchronous=NORMAL),
 * then rebuilt into fresh projections by replay (the snapshot at the floor + the log, with the live
 * path's projectEvent), read from one read transaction of the database: on two threads (as
 * `replay --verify` and the replay mutation run it) and on one. Prints events/s and each thread's
 * CPU per event, then checks the digest of the replay against the live tables (and times the
 * digests). Target ≥ 150,000 events/s wall-clock for 1,000,000 events. REPLAY_EVENTS changes the count.
 * The store and replay are the compiled ones in dist/, as `npm run replay` runs them (bench/compiled.ts;
 * KUBEQL_BENCH_FROM_SOURCE=1: the TypeScript through tsx).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensureCompiled, FROM_SOURCE } from './compiled.js';
import { writeWorkload } from './replay-workload.js';
import { fmt, machine, printTable, verdict } from './stats.js';

ensureCompiled();
const from = (module: string) => import(`${FROM_SOURCE ? '../server' : '../dist'}/${module}.js`);
const { createStore } = (await from('store/sqlite/create-store')) as typeof import('../server/store/sqlite/create-store.js');
const { digestProjections } = (await from('store/sqlite/digest')) as typeof import('../server/store/sqlite/digest.js');
const { registryAllocations } = (await from('store/registry-allocations')) as typeof import('../server/store/registry-allocations.js');
const { replayParallel } = (await from('store/sqlite/parallel-replay')) as typeof import('../server/store/sqlite/parallel-replay.js');
const { inReadSnapshot, replayInto } = (await from('store/sqlite/replay')) as typeof import('../server/store/sqlite/replay.js');
const { openScratchDatabase } = (await from('store/sqlite/scratch-database')) as typeof import('../server/store/sqlite/scratch-database.js');

const EVENTS = Number(process.env.REPLAY_EVENTS ?? 1_000_000);
const TARGET_EVENTS_PER_S = 150_000;

export async function run(): Promise<void> {
  console.log(`\n== replay: ${EVENTS.toLocaleString('en-US')} events into fresh projections`);
  console.log(`machine: ${machine()}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-bench-replay-'));
  try {
    const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    process.stdout.write('writing the log through the store... ');
    const seeded = await writeWorkload(store, EVENTS);
    console.log(`${fmt(seeded.ms / 1000, 1)} s (${fmt((seeded.events / seeded.ms) * 1000, 0)} events/s)`);
    store.close();
    const file = join(dataDir, 'kubeql.db');
    console.log(`database: ${fmt(statSync(file).size / 2 ** 20, 0)} MiB`);

    const live = new Database(file);
    const scratch = openScratchDatabase();
    try {
      const loadBefore = loadavg()[0];
      process.stdout.write('replaying (two threads)... ');
      live.exec('BEGIN');
      const c0 = process.cpuUsage();
      const stats = await replayParallel(live, scratch, registryAllocations);
      const cpu = process.cpuUsage(c0);
      live.exec('COMMIT');
      const perSecond = (stats.events / stats.ms) * 1000;
      const perEvent = (ms: number | undefined) => (ms === undefined ? '-' : `${fmt((ms * 1000) / stats.events, 1)} µs`);
      console.log(
        `${fmt(stats.ms / 1000, 2)} s, ${fmt(perSecond, 0)} events/s (process CPU ${fmt(((cpu.user + cpu.system) / 1000 / stats.ms) * 100, 0)}% of one core; ` +
          `CPU per event: reader/projector thread ${perEvent(stats.threads?.mainCpuMs)}, SQL thread ${perEvent(stats.threads?.workerCpuMs)})`,
      );

      process.stdout.write('replaying (one thread)... ');
      const single = openScratchDatabase();
      const c1 = process.cpuUsage();
      const one = inReadSnapshot(live, () => replayInto(live, single.sqlite, registryAllocations));
      const cpu1 = process.cpuUsage(c1);
      single.dispose();
      console.log(`${fmt(one.ms / 1000, 2)} s, ${fmt((one.events / one.ms) * 1000, 0)} events/s (CPU ${fmt((cpu1.user + cpu1.system) / one.events, 1)} µs/event)`);

      process.stdout.write('digests... ');
      const t0 = performance.now();
      const replayed = digestProjections(scratch.sqlite, live);
      const t1 = performance.now();
      const current = digestProjections(live);
      const t2 = performance.now();
      console.log(replayed.digest === current.digest ? 'equal' : 'DIFFERENT');

      printTable(
        ['measurement', 'events', 'rows', 'seconds', 'events/s'],
        [
          ['replay into fresh projections, two threads', String(stats.events), String(replayed.tables.reduce((n, t) => n + t.rows, 0)), fmt(stats.ms / 1000), fmt(perSecond, 0)],
          ['replay into fresh projections, one thread', String(one.events), '-', fmt(one.ms / 1000), fmt((one.events / one.ms) * 1000, 0)],
          ['digest of the replayed tables', '-', '-', fmt((t1 - t0) / 1000), '-'],
          ['digest of the live tables', '-', '-', fmt((t2 - t1) / 1000), '-'],
        ],
      );
      for (const t of replayed.tables) console.log(`  ${t.table}: ${t.rows.toLocaleString('en-US')} rows`);
      console.log(`replayed digest ${replayed.digest}\nlive digest     ${current.digest}`);
      if (replayed.digest !== current.digest) throw new Error('replay digest differs from the live tables');
      const slowest = Math.max(stats.threads?.mainCpuMs ?? 0, stats.threads?.workerCpuMs ?? 0);
      if (slowest > 0)
        console.log(
          `CPU-bound rate of the two-thread replay (events per CPU-second of its busier thread; what two idle cores give): ${fmt((stats.events / slowest) * 1000, 0)} events/s`,
        );
      const loadAfter = loadavg()[0];
      console.log(
        `load average (1 min): ${fmt(loadBefore, 1)} before the replays, ${fmt(loadAfter, 1)} after` +
          (Math.max(loadBefore, loadAfter) > cpus().length ? ' — other work competed for the cores: the wall-clock figures are pessimistic, the CPU-bound rate less so' : ''),
      );
      console.log(`target ≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')} events/s (got ${fmt(perSecond, 0)} wall-clock): ${verdict(perSecond >= TARGET_EVENTS_PER_S)}`);
    } finally {
      scratch.dispose();
      live.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
