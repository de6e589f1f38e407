/**
 * `npm run bench -- [name...]`: runs the named benchmarks, or all of them in table order.
 * Benchmarks print figures and "target ...: met/missed"; timing never makes this exit non-zero.
 */
interface Benchmark {
  run(): Promise<void>;
}

/** name → module exporting run(); loaded only when selected. */
const benchmarks: Record<string, () => Promise<Benchmark>> = {
  write: () => import('./write.js'),
  schedule: () => import('./schedule.js'),
  watch: () => import('./watch.js'),
  replay: () => import('./replay.js'),
  churn: () => import('./churn.js'),
  bytes: () => import('./bytes.js'),
  heartbeat: () => import('./heartbeat.js'),
  cluster: () => import('./cluster.js'),
  'postgres-write': () => import('./postgres-write.js'),
  ha: () => import('./ha.js'),
};

const requested = process.argv.slice(2).filter((a) => a !== '--');
const unknown = requested.filter((name) => !(name in benchmarks));
if (unknown.length) {
  console.error(`unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(2);
}

for (const name of requested.length ? requested : Object.keys(benchmarks)) {
  const bench = await benchmarks[name]();
  await bench.run();
}
