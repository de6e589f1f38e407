/**
 * The WAL checkpointer's thread (wal-checkpointer.ts starts it): a connection of its own to the
 * log's database that copies the WAL into the database file while the writer goes on committing,
 * so no commit waits for a checkpoint. Plain CommonJS so that it runs as a worker under tsx,
 * vitest and plain node alike (as replay-sql.cjs does).
 *
 * Shared with the writer's thread, an Int32Array over a SharedArrayBuffer (slots below): the writer
 * adds one to PENDING per commit and wakes this thread when they reach the threshold. This
 * thread then runs a PASSIVE checkpoint, which takes no lock a writer needs and copies the bulk of
 * the WAL while commits go on. SQLite starts the WAL over from its beginning (reusing the file in
 * place rather than growing it) only when a write transaction begins with every frame copied, which
 * under steady writes never happens by chance: the frames appended during the copy remain. So this
 * thread then asks the writer for a pause (QUIESCE and a message): the writer's thread grants it
 * between two commits and holds its next commit (its event loop goes on; writes gather), this
 * thread copies the few remaining frames, and lets the writer go on, whose next transaction
 * restarts the WAL. A reader on another connection still using old frames (a backup) only defers that.
 *
 * Durability: with synchronous=NORMAL (or FULL) SQLite syncs the WAL before it copies frames and the
 * database file before it lets the WAL be started over, so a checkpoint never holds the only copy.
 */
'use strict';
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/** Slots of the shared Int32Array. */
const SLOTS = {
  /** Commits since the last checkpoint began (added by the writer). */
  PENDING: 0,
  /** Set to 1 by the writer to stop this thread. */
  STOP: 1,
  /** Set to 1 by this thread once its connection is closed. */
  STOPPED: 2,
  /** Checkpoints run (for tests and metrics). */
  RUNS: 3,
  /** WAL frames after the last checkpoint, and how many of them it copied. */
  LOG_FRAMES: 4,
  COPIED_FRAMES: 5,
  /** Checkpoints that failed (a full disk, an I/O error); the next one retries. */
  FAILURES: 6,
  /** 0; 1 while this thread asks the writer to pause; 2 once the writer has paused (granted). */
  QUIESCE: 7,
  /** WAL restarts prepared: checkpoints that copied every frame with the writer paused. */
  COMPLETE: 8,
  /** Pauses the writer granted. */
  PAUSES: 9,
  /** Set to 1 once this thread's connection is open. */
  READY: 10,
  LENGTH: 11,
};

/** After a failed checkpoint, wait this long before the next attempt (a full disk stays full for a while). */
const RETRY_MS = 1000;
/** How long to wait for the writer to grant a pause; past it the pause is skipped this time. */
const GRANT_WAIT_MS = 1000;

function run({ file, shared, thresholdCommits, idleMs }) {
  const slots = new Int32Array(shared);
  const Database = require('better-sqlite3');
  const db = new Database(file);
  try {
    // Per connection: the checkpoint syncs the WAL before copying and the database after (NORMAL
    // and FULL both do, in WAL mode). A PASSIVE checkpoint never waits for a lock.
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    Atomics.store(slots, SLOTS.READY, 1);
    for (;;) {
      if (Atomics.load(slots, SLOTS.STOP)) break;
      const pending = Atomics.load(slots, SLOTS.PENDING);
      if (pending < thresholdCommits) {
        // Woken by the writer past the threshold or by stop; after idleMs, leftovers are copied too.
        const woke = Atomics.wait(slots, SLOTS.PENDING, pending, idleMs);
        if (woke === 'timed-out' && pending > 0 && Atomics.load(slots, SLOTS.PENDING) === pending) checkpoint(db, slots, pending);
        continue;
      }
      checkpoint(db, slots, pending);
    }
  } finally {
    db.close();
  }
}

function checkpoint(db, slots, pending) {
  Atomics.sub(slots, SLOTS.PENDING, pending);
  try {
    // The bulk, beside the writer. Its figures are of the WAL as it was when it began: frames the
    // writer appended meanwhile are not in them, so "all copied" is known only after the second.
    let [result] = db.pragma('wal_checkpoint(PASSIVE)');
    const paused = withWriterPaused(slots, () => db.pragma('wal_checkpoint(PASSIVE)')[0]);
    if (paused) {
      result = paused;
      if (result.checkpointed === result.log) Atomics.add(slots, SLOTS.COMPLETE, 1);
    }
    Atomics.store(slots, SLOTS.LOG_FRAMES, result.log);
    Atomics.store(slots, SLOTS.COPIED_FRAMES, result.checkpointed);
    Atomics.add(slots, SLOTS.RUNS, 1);
  } catch {
    // The commits stay pending: the next attempt covers them.
    Atomics.add(slots, SLOTS.PENDING, pending);
    Atomics.add(slots, SLOTS.FAILURES, 1);
    Atomics.wait(slots, SLOTS.STOP, 0, RETRY_MS);
  }
}

/** Runs `fn` while the writer holds its commits; undefined when the writer did not grant the pause in time. */
function withWriterPaused(slots, fn) {
  Atomics.store(slots, SLOTS.QUIESCE, 1);
  parentPort.postMessage({ type: 'quiesce' });
  Atomics.wait(slots, SLOTS.QUIESCE, 1, GRANT_WAIT_MS);
  // Withdraws the request, unless the writer granted it meanwhile (then it is paused).
  const granted = Atomics.compareExchange(slots, SLOTS.QUIESCE, 1, 0) === 2;
  if (granted) Atomics.add(slots, SLOTS.PAUSES, 1);
  try {
    return granted ? fn() : undefined;
  } finally {
    Atomics.store(slots, SLOTS.QUIESCE, 0);
    // The writer resumes on this message whether or not it had paused.
    parentPort.postMessage({ type: 'resume' });
  }
}

if (!isMainThread && workerData && workerData.walCheckpoint) {
  try {
    run(workerData);
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: error && error.message ? error.message : String(error) });
  } finally {
    const slots = new Int32Array(workerData.shared);
    Atomics.store(slots, SLOTS.STOPPED, 1);
    Atomics.notify(slots, SLOTS.STOPPED);
  }
}

module.exports = { SLOTS };
