/**
 * Checkpoints of the log's WAL off the commit path. SQLite's automatic checkpoint runs inside the
 * COMMIT that passes 1,000 WAL pages, on the writer's (the event loop's) thread, and stalled that
 * commit and every write queued behind it for 12–83 ms at p99–max. The store's connection turns it
 * off (wal_autocheckpoint=0) and a worker thread with a connection of its own (wal-checkpoint-worker.cjs)
 * copies the WAL into the database file while writes go on, woken once every `thresholdCommits`
 * commits; the writer's part is one atomic add per commit, and a short pause of its commits
 * (not of its event loop) while the thread copies the last frames, so that the WAL starts over in
 * place instead of growing (the group commit asks `paused()` before each batch).
 */
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { SLOTS } = require('./wal-checkpoint-worker.cjs') as { SLOTS: Record<'PENDING' | 'STOP' | 'STOPPED' | 'RUNS' | 'LOG_FRAMES' | 'COPIED_FRAMES' | 'FAILURES' | 'QUIESCE' | 'COMPLETE' | 'PAUSES' | 'READY' | 'LENGTH', number> };
const WORKER_FILE = fileURLToPath(new URL('./wal-checkpoint-worker.cjs', import.meta.url));

/** How long close() waits for a checkpoint in progress to finish before it lets the thread go. */
const STOP_WAIT_MS = 10_000;
/** A pause asked for is granted after the next commit, or after this long if no commit comes. */
const GRANT_AFTER_MS = 2;

export interface CheckpointOptions {
  /**
   * Commits between checkpoints (default 64). A commit appends every page it changed to the WAL: a
   * single createPod's is about 20 pages (the log, the objects and labels tables and their indexes),
   * so 64 single-write commits make about 1,300 frames (5 MiB), near SQLite's own 1,000-page default;
   * larger batches make more frames per commit, for fewer checkpoints per write.
   */
  thresholdCommits?: number;
  /** With commits pending but below the threshold, a checkpoint runs after this long without writes (default 1 s). */
  idleMs?: number;
  /** Called once if the thread fails (it cannot open the database): the writer must checkpoint again itself. */
  onFailure?: (message: string) => void;
}

export interface CheckpointStats {
  /** The thread has its connection open (it starts in the background; until then the WAL only grows). */
  ready: boolean;
  /** Checkpoints completed. */
  runs: number;
  /** Checkpoints that failed (retried). */
  failures: number;
  /** Checkpoints that copied every frame with the writer paused, so that its next transaction starts the WAL over. */
  complete: number;
  /** Pauses of the writer's commits granted to checkpoints. */
  pauses: number;
  /** WAL frames after the latest checkpoint, and how many of them it had copied into the database. */
  logFrames: number;
  copiedFrames: number;
}

/** What the group commit asks before each batch: hold commits while the checkpointer copies the last frames. */
export interface CommitGate {
  /** A batch has just committed (under DURABLE, its WAL sync is about to start). */
  afterCommit(): void;
  paused(): boolean;
  /** `resume` runs once the pause ends. */
  whenResumed(resume: () => void): void;
}

export interface WalCheckpointer extends CommitGate {
  /** The writer committed a batch. */
  committed(): void;
  stats(): CheckpointStats;
  /** Stops the thread and waits (synchronously, bounded) until its connection is closed. */
  close(): void;
}

export function startWalCheckpointer(file: string, options: CheckpointOptions = {}): WalCheckpointer {
  const thresholdCommits = Math.max(1, options.thresholdCommits ?? 64);
  const shared = new SharedArrayBuffer(SLOTS.LENGTH * Int32Array.BYTES_PER_ELEMENT);
  const slots = new Int32Array(shared);
  const worker = new Worker(WORKER_FILE, {
    // Plain CommonJS: no loader (tsx) needed, and the thread starts sooner without one.
    execArgv: [],
    workerData: { walCheckpoint: true, file, shared, thresholdCommits, idleMs: options.idleMs ?? 1_000 },
  });
  // The process may exit while the thread waits for work.
  worker.unref();
  let failure: string | undefined;
  let paused = false;
  let resumers: Array<() => void> = [];
  const resume = () => {
    paused = false;
    const waiting = resumers;
    resumers = [];
    for (const run of waiting) run();
  };
  const fail = (message: string) => {
    if (failure !== undefined) return;
    failure = message;
    resume();
    options.onFailure?.(message);
  };
  let grantTimer: NodeJS.Timeout | undefined;
  /** Between two batches (never inside a commit): grants the pause, unless the thread has withdrawn its request. */
  const grant = () => {
    if (grantTimer === undefined) return;
    clearTimeout(grantTimer);
    grantTimer = undefined;
    if (Atomics.compareExchange(slots, SLOTS.QUIESCE, 1, 2) === 1) {
      paused = true;
      Atomics.notify(slots, SLOTS.QUIESCE);
    }
  };
  worker.on('message', (msg: { type: string; message?: string }) => {
    if (msg.type === 'quiesce') {
      // Best right after a commit: under DURABLE the writer then waits for its WAL sync anyway, and
      // the pause overlaps that wait. A writer with nothing to commit is paused a moment later.
      grantTimer ??= setTimeout(grant, GRANT_AFTER_MS);
    } else if (msg.type === 'resume') resume();
    else if (msg.type === 'error') fail(msg.message ?? 'unknown error');
  });
  worker.on('error', (error) => fail(error.message));
  let closed = false;
  // A thread that ended never holds the writer; one that ended before close() failed.
  worker.on('exit', () => (closed ? resume() : fail('the checkpoint thread exited')));

  return {
    committed() {
      // Wakes the thread only on reaching the threshold: one atomic add per commit otherwise.
      if (Atomics.add(slots, SLOTS.PENDING, 1) + 1 === thresholdCommits) Atomics.notify(slots, SLOTS.PENDING);
    },
    afterCommit: grant,
    paused: () => paused,
    whenResumed(run) {
      if (paused) resumers.push(run);
      else run();
    },
    stats() {
      if (failure) throw new Error(`the WAL checkpointer stopped: ${failure}`);
      return {
        ready: Atomics.load(slots, SLOTS.READY) === 1,
        runs: Atomics.load(slots, SLOTS.RUNS),
        failures: Atomics.load(slots, SLOTS.FAILURES),
        complete: Atomics.load(slots, SLOTS.COMPLETE),
        pauses: Atomics.load(slots, SLOTS.PAUSES),
        logFrames: Atomics.load(slots, SLOTS.LOG_FRAMES),
        copiedFrames: Atomics.load(slots, SLOTS.COPIED_FRAMES),
      };
    },
    close() {
      if (closed) return;
      closed = true;
      Atomics.store(slots, SLOTS.STOP, 1);
      // Wherever the thread waits: for work, for a pause to be granted (withdrawn then), or to retry.
      Atomics.notify(slots, SLOTS.PENDING);
      Atomics.notify(slots, SLOTS.QUIESCE);
      Atomics.notify(slots, SLOTS.STOP);
      // Synchronous, as the store's close is: the thread's connection is closed before the store's
      // last checkpoint and close. A thread that never started (no STOPPED) is let go after the wait.
      Atomics.wait(slots, SLOTS.STOPPED, 0, STOP_WAIT_MS);
      void worker.terminate();
      if (grantTimer !== undefined) clearTimeout(grantTimer);
      grantTimer = undefined;
      resume();
    },
  };
}
