/**
 * What a test file of both store backends sets up: a PostgreSQL server for the file (when this
 * machine has one), a fresh data directory or database per store, and every store closed after its
 * test. Call it at the top of the file: it registers the file's hooks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { postgresMissing, startPostgres, type PostgresServer } from './postgres.js';

export interface StoreFixtures {
  /** A new empty data directory, removed after the file. */
  dataDir(): string;
  /** A new empty database on the file's PostgreSQL server (only when `postgresMissing` is undefined). */
  database(): Promise<string>;
  /** Runs `close` after the current test. */
  closeAfterTest(close: () => unknown): void;
}

export function storeFixtures(prefix: string): StoreFixtures {
  let postgres: PostgresServer | undefined;
  const dirs: string[] = [];
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    if (!postgresMissing) postgres = await startPostgres();
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
      if (!postgres) throw new Error(`PostgreSQL is not available here: ${postgresMissing}`);
      return postgres.createDatabase();
    },
    closeAfterTest: (close) => void closers.push(close),
  };
}
