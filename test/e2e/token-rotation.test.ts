/**
 * `npm start` renews its components' tokens before they expire (every token does, within 48 h):
 * with a rotation every few seconds, new tokens are issued, each client restarts on its own, and
 * the cluster keeps working — a ReplicaSet created after the rotation gets Running pods.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, graphql, processGroupGone } from '../support/npm-start.js';
import { eventually } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
let plane: ChildProcess;
let output = '';
let dataDir: string;
let url: string;
let token: string;

const gql = (query: string, variables?: Record<string, unknown>) => graphql(url, token, query, variables);
/** The process group is gone: every process `npm start` started has exited. */
const groupGone = () => processGroupGone(plane.pid!);
/** Tokens issued for the controller-manager's service account so far. */
const issuedForControllerManager = async () =>
  (await gql(`{ credentialEvents(first: 1000) { action identity } }`)).credentialEvents.filter((e: any) => e.action === 'issue' && /controller-manager/.test(e.identity)).length;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kubeql-rotate-'));
  const env = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', KUBEQL_AGENTS_DEBUG_PORT: String(await freePort()), KUBEQL_TOKEN_ROTATION_SECONDS: '4' };
  plane = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  plane.stdout!.on('data', (d) => (output += d));
  plane.stderr!.on('data', (d) => (output += d));
  url = (await eventually(() => output.match(/GraphQL at (http:\/\/\S+)/)?.[1], 60_000, () => output))!;
  token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
}, 120_000);

afterAll(async () => {
  if (plane?.pid && !groupGone()) process.kill(-plane.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start renews its components tokens', () => {
  it('issues new ones, restarts each client on them, and the cluster keeps converging', async () => {
    await eventually(async () => (await issuedForControllerManager()) >= 3, 90_000, () => output);
    await gql(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'after-rotation' }, spec: { replicas: 2, selector: { matchLabels: { app: 'rot' } }, template: { metadata: { labels: { app: 'rot' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
    });
    await eventually(async () => {
      const { pods } = await gql(`{ pods(namespace: "default", labelSelector: "app=rot") { edges { node { status { phase } } } } }`);
      return pods.edges.length === 2 && pods.edges.every((e: any) => e.node.status.phase === 'Running');
    }, 90_000, () => output);
    // A restart on purpose is not reported as a component exiting.
    expect(output).not.toMatch(/exited \(code/);
  }, 200_000);

  it('Ctrl-C still stops every process', async () => {
    process.kill(-plane.pid!, 'SIGINT');
    await eventually(groupGone, 20_000, () => output);
  });
});
