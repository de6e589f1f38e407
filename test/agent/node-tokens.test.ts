/**
 * The agents process with per-node identities (`--node-tokens`, as `npm start` runs it) starts
 * with more nodes than one token request holds: tokens are asked for in batches within the API
 * server's alias limit, and every node registers as system:node:<name>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_TOKENS_PER_REQUEST } from '../../server/agent/node-tokens.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents } from '../support/processes.js';

const NODES = NODE_TOKENS_PER_REQUEST * 2 + 3;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

describe('agents with node tokens', () => {
  it(`${NODES} nodes (three token requests) register, each as its own node identity`, async () => {
    const limit = (await api.gql(`mutation {\n${Array.from({ length: 31 }, (_, i) => `t${i}: createNodeToken(nodeName: "x${i}") { token }`).join('\n')}\n}`)).errors;
    expect(limit?.[0]?.extensions?.code).toBeDefined(); // the server refuses more aliases than its limit: one request cannot hold them all
    const agents = startComponent('agent/main.ts', ['--server', api.server.url, '--nodes', String(NODES), '--prefix', 'nt-', '--node-tokens', '--lease-interval-ms', '2000']);
    await eventually(() => agents.output().includes(`all ${NODES} nodes registered`), 90_000, () => agents.output());
    const rows = api.db().prepare(`SELECT name, actor FROM events WHERE kind = 'Node' AND verb = 'create' AND name LIKE 'nt-%'`).all() as Array<{ name: string; actor: string }>;
    expect(rows).toHaveLength(NODES);
    for (const r of rows) expect(r.actor).toBe(`system:node:${r.name}`);
    const issued = api.db().prepare(`SELECT count(*) AS n FROM credential_events WHERE action = 'issue'`).get() as { n: number };
    expect(issued.n).toBe(NODES);
  }, 120_000);
});
