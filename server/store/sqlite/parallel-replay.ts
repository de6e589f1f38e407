/**
 * Replay on two threads: this thread reads the log, parses each event and runs projectEvent
 * against recording statements (replay-projector.ts); a worker thread (replay-sql.cjs) that owns
 * the target database runs the recorded operations in order. Batches are bounded in flight, so
 * neither side runs ahead without limit. Same snapshot copy, same projectEvent, same SQL as replayInto.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { COMMIT_EVERY, startReplay } from './replay.js';
import { REPLAY_SQL_FILE, threadCpuMs } from './replay-sql.js';
import type { ScratchDatabase } from './scratch-database.js';
import type { AllocationsOf, ReplayStats } from '../records.js';

const IN_FLIGHT = 4;

/** Replays `source` (in a read snapshot, a connection of its own) into `scratch`; the scratch connection is open again afterwards. */
export async function replayParallel(source: Database.Database, scratch: ScratchDatabase, allocationsOf: AllocationsOf, options: { upTo?: number } = {}): Promise<ReplayStats> {
  const started = performance.now();
  const cpuAtStart = threadCpuMs();
  const replay = startReplay(source, scratch.sqlite, allocationsOf, options.upTo);
  scratch.close();

  const worker = new Worker(REPLAY_SQL_FILE, { workerData: { replaySql: true, file: scratch.file, commitEvery: COMMIT_EVERY } });
  let failure: Error | undefined;
  let inFlight = 0;
  let done = false;
  const waiters: Array<() => void> = [];
  const notify = () => {
    for (const wake of waiters.splice(0)) wake();
  };
  const until = async (condition: () => boolean) => {
    while (!condition() && !failure) await new Promise<void>((resolve) => waiters.push(resolve));
    if (failure) throw failure;
  };
  let workerCpuMs: number | undefined;
  worker.on('message', (msg: { type: string; message?: string; cpuMs?: number }) => {
    if (msg.type === 'ack') inFlight--;
    else if (msg.type === 'error') failure = new Error(`replay worker: ${msg.message}`);
    else if (msg.type === 'done') {
      done = true;
      workerCpuMs = msg.cpuMs;
    }
    notify();
  });
  worker.on('error', (error) => {
    failure = error;
    notify();
  });
  worker.on('exit', (code) => {
    if (!done) failure ??= new Error(`replay worker exited with ${code}`);
    notify();
  });

  const { projector } = replay;
  let events = 0;
  const send = async (batched: number) => {
    await until(() => inFlight < IN_FLIGHT);
    worker.postMessage({ type: 'ops', ops: projector.take(), events: batched });
    inFlight++;
  };
  try {
    for (const page of replay.pages()) {
      for (const row of page) projector.project(row);
      events += page.length;
      await send(page.length);
    }
    projector.finish();
    await send(0);
    worker.postMessage({ type: 'end' });
    await until(() => done);
  } finally {
    await worker.terminate();
    if (done) scratch.open();
  }
  const cpu = threadCpuMs();
  const threads = { mainCpuMs: cpu === undefined || cpuAtStart === undefined ? undefined : cpu - cpuAtStart, workerCpuMs };
  return { revision: replay.revision, floor: replay.floor, snapshotObjects: replay.snapshotObjects, events, ms: performance.now() - started, threads };
}
