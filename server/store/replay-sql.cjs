/**
 * The SQL side of replay: runs recorded projection statements ([statement index, ...parameters],
 * flat) against the target database. Plain CommonJS so that the same file serves on the calling
 * thread (replay.ts, through replay-sql.ts) and as the worker thread of the parallel replay
 * (parallel-replay.ts), under tsx, vitest and plain node alike.
 *
 * One liberty with the statements: the target keeps, per object, the rowid of its current row, so
 * closing a version is an update by rowid (the live path finds that row through the objects_current
 * index, which the replay target does without). The row closed is the same one: the object's row
 * with to_rev NULL.
 */
'use strict';
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/** spec: { statements: [{ sql, arity }], close: { index, kind, namespace, name, revision }, insert: { index, kind, namespace, name } } (parameter positions). */
function createExecutor(db, spec) {
  const stmts = spec.statements.map((s) => db.prepare(s.sql));
  const arity = spec.statements.map((s) => s.arity);
  const lookup = db.prepare('SELECT rowid FROM objects WHERE kind = ? AND namespace = ? AND name = ? AND to_rev IS NULL').pluck();
  const closeRow = db.prepare('UPDATE objects SET to_rev = ? WHERE rowid = ?');
  const { close, insert } = spec;
  /** key → rowid of the object's current row (rows copied from the snapshot are looked up once). */
  const current = new Map();
  const keyOf = (ops, at, p) => ops[at + p.kind] + '\u0000' + ops[at + p.namespace] + '\u0000' + ops[at + p.name];

  return {
    run(ops) {
      let i = 0;
      while (i < ops.length) {
        const k = ops[i++];
        const n = arity[k];
        if (k === close.index) {
          const key = keyOf(ops, i, close);
          let rowid = current.get(key);
          if (rowid === undefined) rowid = lookup.get(ops[i + close.kind], ops[i + close.namespace], ops[i + close.name]);
          current.delete(key);
          if (rowid !== undefined) closeRow.run(ops[i + close.revision], rowid);
        } else if (k === insert.index) {
          const result =
            n === 9
              ? stmts[k].run(ops[i], ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5], ops[i + 6], ops[i + 7], ops[i + 8])
              : stmts[k].run(...ops.slice(i, i + n));
          current.set(keyOf(ops, i, insert), result.lastInsertRowid);
        } else if (n === 4) stmts[k].run(ops[i], ops[i + 1], ops[i + 2], ops[i + 3]);
        else if (n === 5) stmts[k].run(ops[i], ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4]);
        else stmts[k].run(...ops.slice(i, i + n));
        i += n;
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

module.exports = { createExecutor, threadCpuMs };

// As the parallel replay's worker: owns the target database, runs each batch, acknowledges it.
if (!isMainThread && workerData && workerData.replaySql) {
  const cpuAtStart = threadCpuMs();
  const Database = require('better-sqlite3');
  const db = new Database(workerData.file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -524288');
  const executor = createExecutor(db, workerData.spec);
  let pending = 0;
  db.exec('BEGIN');
  parentPort.on('message', (msg) => {
    try {
      if (msg.type === 'ops') {
        executor.run(msg.ops);
        pending += msg.events;
        if (pending >= 50000) {
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
