/** `npm run apiserver`: the API server on PORT (8080) with its data in DATA_DIR (./data). */
import { startApiServer } from './server.js';

const sync = (process.env.KUBEQL_SYNC ?? 'FULL').toUpperCase();
if (sync !== 'FULL' && sync !== 'NORMAL') {
  console.error(`KUBEQL_SYNC must be FULL or NORMAL, not ${sync}`);
  process.exit(1);
}

const server = await startApiServer({
  dataDir: process.env.DATA_DIR ?? './data',
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST ?? '127.0.0.1',
  synchronous: sync,
});
console.log(`Kubeql API server listening on ${server.url} (GraphiQL: open it in a browser); data in ${process.env.DATA_DIR ?? './data'}, head revision ${server.store.head()}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close().then(() => process.exit(0));
  });
