/** A real API server on a loopback port (port 0) over a real SQLite file in a temporary directory, and a GraphQL client for it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../server/api/server.js';
import { sharedPostgres } from './postgres.js';
import { registerToken } from './tokens.js';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, any>; path?: unknown[] }>;
  extensions?: Record<string, any>;
}

export interface TestApi {
  server: ApiServer;
  dataDir: string;
  /** The admin token every helper here sends. */
  readonly token: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** gql as another identity (a bearer token), or with no token at all (null). */
  gqlAs<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Read-only view of the database, for checks (tests never write it). */
  db(): Database.Database;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The backend startTestApi runs the API suites on (KUBEQL_TEST_BACKEND=postgres, or SQLite); a test of one backend's files skips on the other, saying where the other is tested. */
export const testBackend: 'sqlite' | 'postgres' = process.env.KUBEQL_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export async function startTestApi(options: Partial<ApiServerOptions> = {}): Promise<TestApi> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'kubeql-test-'));
  // KUBEQL_TEST_BACKEND=postgres: the same suite with the log in PostgreSQL (a database per server).
  if (process.env.KUBEQL_TEST_BACKEND === 'postgres' && options.databaseUrl === undefined) options = { ...options, databaseUrl: await (await sharedPostgres()).createDatabase() };
  let server = await startApiServer({ port: 0, synchronous: 'NORMAL', ...options, dataDir });
  registerToken(server.url, server.adminToken);
  let reader: Database.Database | undefined;

  const api: TestApi = {
    get server() {
      return server;
    },
    get token() {
      return server.adminToken;
    },
    dataDir,
    gql: (query, variables) => api.gqlAs(server.adminToken, query, variables),
    async gqlAs(token, query, variables) {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const send = () => fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      // After a restart, the first request may go out on a pooled connection the old server closed.
      const res = await send().catch(send);
      return (await res.json()) as GraphQLResponse;
    },
    async ok(query, variables) {
      const res = await api.gql(query, variables);
      if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
      return res.data;
    },
    db() {
      // On PostgreSQL (KUBEQL_TEST_BACKEND=postgres): the server's replica, a copy of the database's tables.
      reader ??= new Database((server.store as { replicaFile?: string }).replicaFile ?? join(dataDir, 'kubeql.db'), { readonly: true });
      return reader;
    },
    async restart() {
      reader?.close();
      reader = undefined;
      await server.close();
      // Same port, so clients reconnect to the restarted server.
      server = await startApiServer({ synchronous: 'NORMAL', ...options, port: server.port, dataDir });
    },
    async close() {
      reader?.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}

/** A fingerprint of every table, to show that a rejected request changed nothing. */
export function snapshotTables(db: Database.Database): string {
  const tables = ['events', 'objects', 'labels', 'allocations', 'store_meta'];
  return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all())).join('\n');
}

export const POD = (name: string, extra: { labels?: Record<string, string>; namespace?: string; spec?: Record<string, unknown> } = {}) => ({
  metadata: { name, namespace: extra.namespace, labels: extra.labels },
  spec: extra.spec ?? { containers: [{ name: 'app', image: 'nginx:1.25' }] },
});

export const CREATE_POD = `mutation($i: PodInput!, $r: String) { createPod(input: $i, requestId: $r) { metadata { name namespace uid resourceVersion generation labels } } }`;
