/**
 * The SQL side of replay: runs recorded projection statements ([statement index, ...parameters],
 * flat) against the target database. Plain CommonJS so that the same file serves on the calling
 * thread (replay.ts, through replay-sql.ts) and as the worker thread of the parallel replay
 * (parallel-replay.ts), under tsx, vitest and plain node alike.
 *
 * Write-behind for the versioned tables (objects, labels): replay knows each version's end — the
 * object's next event closes it — so a new version is held here until that close arrives and is
 * then written once, already closed (to_rev set), instead of being inserted open and updated
 * later. Versions still open at the end are written open. A close with nothing held (a row of the
 * snapshot copied from the floor) runs the live path's own UPDATE. The rows written are the rows
 * the statements would have written; only their physical order differs.
 */
'use strict';
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/**
 * spec: { statements: [{ sql, arity }], versioned: [{ close: { index, key: [positions], revision },
 * insert: { index, key: [positions], closedSql, toRevAt } }] } (positions of parameters).
 */
function createExecutor(db, spec) {
  const stmts = spec.statements.map((s) => db.prepare(s.sql));
  const arity = spec.statements.map((s) => s.arity);
  /** By statement index: how a versioned table's close or insert is handled. */
  const roles = spec.statements.map(() => undefined);
  const tables = spec.versioned.map((v) => ({ ...v, held: new Map(), closedInsert: db.prepare(v.insert.closedSql) }));
  for (const t of tables) {
    roles[t.close.index] = { table: t, role: 'close' };
    roles[t.insert.index] = { table: t, role: 'insert' };
  }
  const keyOf = (ops, at, positions) => {
    let key = String(ops[at + positions[0]]);
    for (let p = 1; p < positions.length; p++) key += '\u0000' + ops[at + positions[p]];
    return key;
  };
  const call = (stmt, args) => {
    switch (args.length) {
      case 4: return stmt.run(args[0], args[1], args[2], args[3]);
      case 5: return stmt.run(args[0], args[1], args[2], args[3], args[4]);
      case 6: return stmt.run(args[0], args[1], args[2], args[3], args[4], args[5]);
      case 7: return stmt.run(args[0], args[1], args[2], args[3], args[4], args[5], args[6]);
      case 10: return stmt.run(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9]);
      default: return stmt.run(...args);
    }
  };

  return {
    run(ops) {
      let i = 0;
      while (i < ops.length) {
        const k = ops[i++];
        const n = arity[k];
        const role = roles[k];
        if (role === undefined) call(stmts[k], ops.slice(i, i + n));
        else if (role.role === 'insert') role.table.held.set(keyOf(ops, i, role.table.insert.key), ops.slice(i, i + n));
        else {
          const t = role.table;
          const key = keyOf(ops, i, t.close.key);
          const held = t.held.get(key);
          if (held === undefined) call(stmts[k], ops.slice(i, i + n));
          else {
            held.splice(t.insert.toRevAt, 0, ops[i + t.close.revision]);
            call(t.closedInsert, held);
            t.held.delete(key);
          }
        }
        i += n;
      }
    },
    /** Writes the versions still open. */
    finish() {
      for (const t of tables) {
        const insert = stmts[t.insert.index];
        for (const args of t.held.values()) call(insert, args);
        t.held.clear();
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
  db.pragma('cache_size = -131072');
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
        executor.finish();
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
