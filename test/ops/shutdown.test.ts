/**
 * Graceful shutdown of a real API server process: SIGTERM during a write storm. The process stops
 * accepting, finishes the requests in flight, ends subscriptions with close 1001 and a reason,
 * checkpoints the WAL and exits 0 within 10 s; restarted on the same data, it has every write it
 * acknowledged.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-shutdown-'));
afterAll(async () => {
  await stopAllComponents();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `npm run apiserver` on a free port over `dataDir` and reads the URL it prints. */
async function startApiProcess(): Promise<{ proc: Component; url: string; headers: Record<string, string> }> {
  const proc = startComponent('api/main.ts', [], { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const url = (await eventually(() => /listening on (http:\/\/[^\s"]+\/graphql)/.exec(proc.output())?.[1], 20_000, () => proc.output()))!;
  const tokenFile = join(dataDir, 'admin.token');
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (existsSync(tokenFile)) headers.authorization = `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`;
  return { proc, url, headers };
}

const CREATE = `mutation($i: PodInput!) { createPod(input: $i) { metadata { name resourceVersion } } }`;

describe('SIGTERM', () => {
  it('during a write storm: exits 0 within 10 s, closes watches with 1001, loses nothing acknowledged', async () => {
    const { proc, url, headers } = await startApiProcess();

    // A watch open over WebSocket: it must be told the server is going away.
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    const messages: any[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init', payload: headers.authorization ? { authorization: headers.authorization } : {} }));
    await eventually(() => messages.some((m) => m.type === 'connection_ack'), 5000);
    socket.send(JSON.stringify({ type: 'subscribe', id: 'w', payload: { query: `subscription { watch(kind: Pod) { type revision } }` } }));
    await eventually(() => messages.some((m) => m.id === 'w' && m.payload?.data?.watch?.type === 'BOOKMARK'), 5000);

    // The storm: 16 writers, each creating pods until the server stops answering.
    const acknowledged: string[] = [];
    let seq = 0;
    const writer = async () => {
      for (;;) {
        const name = `storm-${seq++}`;
        try {
          const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: CREATE, variables: { i: { metadata: { name }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } } }) });
          const body = (await res.json()) as any;
          if (body.data?.createPod?.metadata?.name !== name) return;
          acknowledged.push(name);
        } catch {
          return; // refused or cut: not acknowledged
        }
      }
    };
    const writers = Array.from({ length: 16 }, writer);
    await eventually(() => acknowledged.length >= 200, 20_000);

    const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
    const signalled = Date.now();
    proc.child.kill('SIGTERM');
    const code = await exited;
    const took = Date.now() - signalled;
    await Promise.all(writers);

    expect(code, proc.output().slice(-2000)).toBe(0);
    expect(took).toBeLessThan(10_000);
    expect(await closed).toEqual({ code: 1001, reason: expect.stringMatching(/shutting down/) });
    expect(proc.output()).toMatch(/"msg":"stopped"/);
    // The WAL was checkpointed into the database file.
    const wal = join(dataDir, 'kubeql.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);

    // Restarted on the same data: every acknowledged write is there.
    const again = await startApiProcess();
    const stored = new Set<string>();
    for (let after: string | undefined, more = true; more; ) {
      const query = `query($after: String) { pods(namespace: "default", first: 200, after: $after) { edges { node { metadata { name } } } pageInfo { hasNextPage endCursor } } }`;
      const res = await fetch(again.url, { method: 'POST', headers: again.headers, body: JSON.stringify({ query, variables: { after } }) });
      const body = (await res.json()) as any;
      if (!body.data) throw new Error(JSON.stringify(body.errors));
      for (const e of body.data.pods.edges) stored.add(e.node.metadata.name);
      ({ hasNextPage: more, endCursor: after } = body.data.pods.pageInfo);
    }
    const missing = acknowledged.filter((name) => !stored.has(name));
    expect(missing).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);
    expect(await again.proc.stop(10_000)).toBe(0);
  }, 60_000);
});
