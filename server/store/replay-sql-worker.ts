/**
 * The SQL side of the parallel replay, run in a worker thread: it owns the target database and
 * runs the recorded projection statements in order, in big transactions, acknowledging each batch.
 * Plain JavaScript (evaluated, CommonJS), so it loads the same under tsx, vitest and plain node.
 */
import { THREAD_CPU_SOURCE } from './thread-cpu.js';

export const REPLAY_SQL_WORKER = `
${THREAD_CPU_SOURCE}
const cpuAtStart = threadCpuMs();
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file);
db.pragma('journal_mode = OFF');
db.pragma('synchronous = OFF');
db.pragma('locking_mode = EXCLUSIVE');
db.pragma('temp_store = MEMORY');
db.pragma('cache_size = -131072');
const stmts = workerData.statements.map((s) => db.prepare(s.sql));
const arity = workerData.statements.map((s) => s.arity);
let pending = 0;
db.exec('BEGIN');
parentPort.on('message', (msg) => {
  try {
    if (msg.type === 'ops') {
      const ops = msg.ops;
      let i = 0;
      while (i < ops.length) {
        const k = ops[i++];
        const n = arity[k];
        const st = stmts[k];
        if (n === 4) st.run(ops[i], ops[i + 1], ops[i + 2], ops[i + 3]);
        else if (n === 5) st.run(ops[i], ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4]);
        else st.run(...ops.slice(i, i + n));
        i += n;
      }
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
    try { if (db.inTransaction) db.exec('ROLLBACK'); db.close(); } catch {}
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
  }
});
`;
