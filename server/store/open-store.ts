/**
 * The backend selector: a database URL (KUBEQL_DATABASE_URL=postgres://…) opens the PostgreSQL
 * store, shared by any number of API servers; without one, the embedded SQLite store in the data
 * directory, as always.
 */
import { join } from 'node:path';
import { openPostgresStore } from './postgres/create-store.js';
import { createStore } from './sqlite/create-store.js';
import type { Store, StoreOptions } from './types.js';

export interface OpenStoreOptions extends StoreOptions {
  /** postgres://… selects PostgreSQL; undefined selects SQLite in `dataDir`. */
  databaseUrl?: string;
  /** Failures of the PostgreSQL store's background work (catch-up, credential writes), for the log. */
  onError?: (error: unknown) => void;
}

export interface OpenedStore {
  store: Store;
  /** Which backend holds the log. */
  backend: 'sqlite' | 'postgres';
  /** Closes the store and waits for its connections to end. */
  shutdown(): Promise<void>;
}

export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const { databaseUrl, onError, ...rest } = options;
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error(`KUBEQL_DATABASE_URL must be a postgres:// URL, not ${databaseUrl.split(':')[0]}:…`);
    const store = await openPostgresStore({
      url: databaseUrl,
      // Beside the server's other files, not in /tmp: a crashed server's copy is found and removed there.
      replicaDir: join(rest.dataDir, 'replicas'),
      allocationsOf: rest.allocationsOf,
      onBatch: rest.onBatch,
      countStatements: rest.countStatements,
      onError,
    });
    return { store, backend: 'postgres', shutdown: () => store.shutdown() };
  }
  const store = createStore(rest);
  return { store, backend: 'sqlite', shutdown: async () => store.close() };
}
