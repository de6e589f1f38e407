/**
 * The SQL side of replay: replay's own statements, plain SQL written once for the projected tables
 * of tables.ts (a test compares these column lists with the tables' PRAGMA table_info), and the
 * executor that runs recorded operations against the target database. Plain CommonJS so that the
 * same file serves on the calling thread (replay.ts, through replay-sql.ts) and as the worker
 * thread of the parallel replay (parallel-replay.ts), under tsx, vitest and plain node alike.
 *
 * An operation is [opcode, ...parameters] in a flat array, the parameters in the order of the
 * statement's `?`s; each opcode has a fixed arity, so a batch needs no other framing.
 *
 * The worker may attach the source database as `log`: an object version is then copied from its
 * event's row there (insertObjectFromLog), so the object's JSON is neither read into JavaScript
 * nor passed between the threads (most of the bytes replay moves).
 */
'use strict';
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/** The projected tables' columns, in the order replay's inserts bind them. */
const COLUMNS = {
  objects: ['kind', 'namespace', 'name', 'from_rev', 'to_rev', 'uid', 'node_name', 'phase', 'controller_uid', 'object'],
  labels: ['kind', 'namespace', 'name', 'key', 'value', 'from_rev', 'to_rev'],
  allocations: ['pool', 'value', 'kind', 'namespace', 'name'],
};

const insertInto = (table) => `INSERT INTO ${table} (${COLUMNS[table].join(', ')}) VALUES (${COLUMNS[table].map(() => '?').join(', ')})`;

/**
 * By opcode: the statement and its number of parameters. Inserts bind every column (COLUMNS
 * order), so a version is written either open (to_rev NULL) or already closed.
 */
const STATEMENTS = [
  /* 0 closeObject */ { sql: 'UPDATE objects SET to_rev = ? WHERE kind = ? AND namespace = ? AND name = ? AND to_rev IS NULL', arity: 4 },
  /* 1 insertObject */ { sql: insertInto('objects'), arity: COLUMNS.objects.length },
  /* 2 closeLabel */ { sql: 'UPDATE labels SET to_rev = ? WHERE kind = ? AND namespace = ? AND name = ? AND key = ? AND to_rev IS NULL', arity: 5 },
  /* 3 insertLabel */ { sql: insertInto('labels'), arity: COLUMNS.labels.length },
  /* 4 freeAllocations */ { sql: 'DELETE FROM allocations WHERE kind = ? AND namespace = ? AND name = ?', arity: 3 },
  /* 5 insertAllocation */ { sql: insertInto('allocations'), arity: COLUMNS.allocations.length },
  /*
   * 6 insertObjectFromLog: the version an event wrote (from_rev is the event's revision, and kind,
   * namespace, name, uid and object are its columns, as projectEvent writes them), with the
   * columns projectEvent derives: to_rev, node_name, phase, controller_uid, then the revision.
   */
  {
    sql: `INSERT INTO objects (${COLUMNS.objects.join(', ')}) SELECT kind, namespace, name, revision, ?, uid, ?, ?, ?, object FROM log.events WHERE revision = ?`,
    arity: 5,
  },
];
const OP = { closeObject: 0, insertObject: 1, closeLabel: 2, insertLabel: 3, freeAllocations: 4, insertAllocation: 5, insertObjectFromLog: 6 };
/** Index of to_rev among insertObjectFromLog's parameters. */
const FROM_LOG_TO_REV = 0;

/** Pragmas for a throw-away target with one bulk writer: no journal, no fsync, a big page cache. */
function tuneScratch(db) {
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('main.locking_mode = EXCLUSIVE'); // main only: a log attached later is shared with its writers
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -262144');
}

/** Runs operations against `db` with statements prepared once (insertObjectFromLog on first use: it needs `log` attached). */
function createExecutor(db) {
  const [closeObject, insertObject, closeLabel, insertLabel, freeAllocations, insertAllocation] = STATEMENTS.slice(0, 6).map((s) => db.prepare(s.sql));
  let insertObjectFromLog;
  return {
    run(ops) {
      const n = ops.length;
      let i = 0;
      while (i < n) {
        switch (ops[i]) {
          case 0:
            closeObject.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4]);
            i += 5;
            break;
          case 1:
            insertObject.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5], ops[i + 6], ops[i + 7], ops[i + 8], ops[i + 9], ops[i + 10]);
            i += 11;
            break;
          case 2:
            closeLabel.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5]);
            i += 6;
            break;
          case 3:
            insertLabel.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5], ops[i + 6], ops[i + 7]);
            i += 8;
            break;
          case 4:
            freeAllocations.run(ops[i + 1], ops[i + 2], ops[i + 3]);
            i += 4;
            break;
          case 5:
            insertAllocation.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5]);
            i += 6;
            break;
          case 6:
            insertObjectFromLog ??= db.prepare(STATEMENTS[6].sql);
            // An event missing from the attached log would otherwise lose its version silently.
            if (insertObjectFromLog.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5]).changes !== 1) throw new Error(`replay: event ${ops[i + 5]} is not in the log`);
            i += 6;
            break;
          default:
            throw new Error(`replay: unknown operation ${ops[i]} at ${i}`);
        }
      }
    },
  };
}

/** CPU time of the calling thread in ms (Linux), for the benchmark's per-thread figures. */
function threadCpuMs() {
  try {
    const stat = require('node:fs').readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Attaches the source database as `log`, read only in effect (replay only selects from it), in
 * normal locking mode whatever the scratch database's, with a cache and a memory map of its own for
 * the lookups of insertObjectFromLog. Opens the read transaction on it and returns what that
 * snapshot holds of the log: the caller replays only if it matches its own snapshot.
 */
function attachLog(db, file) {
  db.prepare('ATTACH DATABASE ? AS log').run(file);
  db.pragma('log.locking_mode = NORMAL');
  db.pragma('log.cache_size = -131072');
  db.pragma('log.mmap_size = 2147418112');
  db.exec('BEGIN');
  const floor = db.prepare("SELECT value FROM log.store_meta WHERE key = 'floor'").pluck().get();
  const head = db.prepare("SELECT seq FROM log.sqlite_sequence WHERE name = 'events'").pluck().get();
  const kindFloors = db.prepare("SELECT key, value FROM log.store_meta WHERE key LIKE 'floor:%' ORDER BY key").raw(true).all();
  return { floor: floor ? Number(floor) : 0, head: head ?? 0, kindFloors: kindFloors.map(([k, v]) => [k.slice('floor:'.length), Number(v)]) };
}

module.exports = { COLUMNS, STATEMENTS, OP, FROM_LOG_TO_REV, createExecutor, tuneScratch, attachLog, threadCpuMs };

// As the parallel replay's worker: owns the target database, runs each batch, acknowledges it.
if (!isMainThread && workerData && workerData.replaySql) {
  const cpuAtStart = threadCpuMs();
  const Database = require('better-sqlite3');
  const db = new Database(workerData.file);
  tuneScratch(db);
  const executor = createExecutor(db);
  // With the log attached, one transaction throughout: it is also the read snapshot of the log.
  const commitEvery = workerData.log ? Infinity : workerData.commitEvery;
  let pending = 0;
  try {
    if (workerData.log) parentPort.postMessage({ type: 'log', bounds: attachLog(db, workerData.log) });
    else db.exec('BEGIN');
  } catch (error) {
    // Replay goes on without the log: the objects' JSON then comes with the operations.
    if (!db.inTransaction) db.exec('BEGIN');
    parentPort.postMessage({ type: 'log', bounds: null, message: String((error && error.message) || error) });
  }
  parentPort.on('message', (msg) => {
    try {
      if (msg.type === 'ops') {
        executor.run(msg.ops);
        pending += msg.events;
        if (pending >= commitEvery) {
          db.exec('COMMIT');
          db.exec('BEGIN');
          pending = 0;
        }
        parentPort.postMessage({ type: 'ack' });
      } else if (msg.type === 'end') {
        db.exec('COMMIT');
        db.close();
        const cpu = threadCpuMs();
        parentPort.postMessage({ type: 'done', cpuMs: cpu === undefined || cpuAtStart === undefined ? undefined : cpu - cpuAtStart });
      }
    } catch (error) {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
        db.close();
      } catch {}
      parentPort.postMessage({ type: 'error', message: String((error && error.message) || error) });
    }
  });
}
