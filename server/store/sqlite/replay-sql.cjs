/**
 * The SQL side of replay: replay's own statements, plain SQL written once for the projected tables
 * of tables.ts (a test compares these column lists with the tables' PRAGMA table_info), and the
 * executor that runs recorded operations against the target database. Plain CommonJS so that the
 * same file serves on the calling thread (replay.ts, through replay-sql.ts) and as the worker
 * thread of the parallel replay (parallel-replay.ts), under tsx, vitest and plain node alike.
 *
 * An operation is [opcode, ...parameters] in a flat array, the parameters in the order of the
 * statement's `?`s; each opcode has a fixed arity, so a batch needs no other framing.
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
];
const OP = { closeObject: 0, insertObject: 1, closeLabel: 2, insertLabel: 3, freeAllocations: 4, insertAllocation: 5 };

/** Pragmas for a throw-away target with one bulk writer: no journal, no fsync, a big page cache. */
function tuneScratch(db) {
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -262144');
}

/** Runs operations against `db` with statements prepared once. */
function createExecutor(db) {
  const [closeObject, insertObject, closeLabel, insertLabel, freeAllocations, insertAllocation] = STATEMENTS.map((s) => db.prepare(s.sql));
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

module.exports = { COLUMNS, STATEMENTS, OP, createExecutor, tuneScratch, threadCpuMs };

// As the parallel replay's worker: owns the target database, runs each batch, acknowledges it.
if (!isMainThread && workerData && workerData.replaySql) {
  const cpuAtStart = threadCpuMs();
  const Database = require('better-sqlite3');
  const db = new Database(workerData.file);
  tuneScratch(db);
  const executor = createExecutor(db);
  const commitEvery = workerData.commitEvery;
  let pending = 0;
  db.exec('BEGIN');
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
