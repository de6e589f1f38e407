/**
 * What a test file of both store backends sets up: a PostgreSQL server for the file (when this
 * machine has one), a fresh data directory or database per store, and every store closed after its
 * test. Call it at the top of the file: it registers the file's hooks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { createStore, type SqliteStore } from '../../server/store/sqlite/create-store.js';
import { postgresMissing, startPostgres, type PostgresServer } from './postgres.js';

export interface StoreFixtures {
  /** A new empty data directory, removed after the file. */
  dataDir(): string;
  /** A new empty database on the file's PostgreSQL server (only when `postgresMissing` is undefined). */
  database(): Promise<string>;
  /** Runs `close` after the current test. */
  closeAfterTest(close: () => unknown): void;
  /** A SQLite store in a new data directory and a read-only connection to its file, both closed after the test. */
  sqliteStore(): { store: SqliteStore; reader: Database.Database };
}

/** `postgres: false` for a file that tests SQLite only: no PostgreSQL server is started for it. */
export function storeFixtures(prefix: string, options: { postgres?: boolean } = {}): StoreFixtures {
  let postgres: PostgresServer | undefined;
  const dirs: string[] = [];
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    if (!postgresMissing && options.postgres !== false) postgres = await startPostgres();
  }, 60_000);
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  afterAll(async () => {
    await postgres?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    dataDir() {
      const dir = mkdtempSync(join(tmpdir(), `kubeql-${prefix}-`));
      dirs.push(dir);
      return dir;
    },
    database() {
      if (!postgres) throw new Error(`PostgreSQL is not available here: ${postgresMissing ?? 'this file asked for none'}`);
      return postgres.createDatabase();
    },
    closeAfterTest: (close) => void closers.push(close),
    sqliteStore() {
      const dataDir = this.dataDir();
      const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
      const reader = new Database(join(dataDir, 'kubeql.db'), { readonly: true });
      closers.push(() => {
        reader.close();
        store.close();
      });
      return { store, reader };
    },
  };
}
