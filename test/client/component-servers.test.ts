/** A component given several servers: a bad entry stops it at start, naming the entry (exit 1); a dead first server is passed over. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { createNode } from '../support/nodes.js';
import { eventually, startComponent, stopAllComponents } from '../support/processes.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await stopAllComponents();
  await api.close();
});

const exitOf = (c: ReturnType<typeof startComponent>) => new Promise<number | null>((done) => (c.child.exitCode !== null ? done(c.child.exitCode) : c.child.once('exit', done)));

describe('components with several servers', () => {
  it('a bad entry in --server or KUBEQL_SERVER stops the component at start, naming it', async () => {
    const flag = startComponent('scheduler/main.ts', ['--server', 'http://127.0.0.1:9,127.0.0.1:10', '--token', 't']);
    const env = startComponent('controllers/main.ts', [], { KUBEQL_SERVER: ' , ', KUBEQL_TOKEN: 't' });
    expect(await exitOf(flag)).toBe(1);
    expect(flag.output()).toContain('error: server "127.0.0.1:10" must be an http:// or https:// URL (from --server or KUBEQL_SERVER)');
    expect(await exitOf(env)).toBe(1);
    expect(env.output()).toContain('error: no API server URL given (from --server or KUBEQL_SERVER)');
  });

  it('the scheduler passes over a dead first server and binds pods through the second', async () => {
    const base = api.server.url.replace(/\/graphql$/, '');
    startComponent('scheduler/main.ts', ['--server', `http://127.0.0.1:9,${base}`, '--token', api.token]);
    await createNode(api, 'n1');
    await api.ok(`mutation { createPod(input: { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx" }] } }) { metadata { name } } }`);
    await eventually(async () => (await api.ok(`{ pod(namespace: "default", name: "p") { spec { nodeName } } }`)).pod.spec.nodeName === 'n1', 20_000);
  });
});
