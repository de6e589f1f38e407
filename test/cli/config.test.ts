/** Where kq finds its server and token (flags, then KUBEQL_SERVER/KUBEQL_TOKEN, then the config file), the package bin, help, and how it fails. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { kq } from '../support/kq.js';

let api: TestApi;
let dir: string;
let base: string;
/** A loopback port nothing listens on. */
const DEAD = 'http://127.0.0.1:9';

beforeAll(async () => {
  api = await startTestApi();
  base = api.server.url.replace(/\/graphql$/, '');
  dir = mkdtempSync(join(tmpdir(), 'kq-config-'));
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "team" } }) { metadata { name } } }`);
  await api.ok(`mutation { createPod(input: { metadata: { name: "p", namespace: "team" }, spec: { containers: [{ name: "a", image: "b" }] } }) { metadata { name } } }`);
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('kq configuration', () => {
  it('reads the config file (JSON or YAML, /graphql optional, a default namespace); env beats it; flags beat env', async () => {
    const json = config('json', JSON.stringify({ server: base, token: api.token }));
    const yaml = config('yaml', `server: ${base}/graphql\ntoken: ${api.token}\nnamespace: team\n`);
    const wrong = config('wrong', JSON.stringify({ server: DEAD, token: 'wrong' }));
    const [fromJson, fromYaml, envWins, flagWins, flagTokenWins] = await Promise.all([
      kq(['get', 'ns', 'team', '-o', 'name'], { env: { KUBEQL_CONFIG: json } }),
      kq(['get', 'pods', '-o', 'name'], { env: { KUBEQL_CONFIG: yaml } }),
      kq(['get', 'ns', 'team', '-o', 'name'], { env: { KUBEQL_CONFIG: wrong, KUBEQL_SERVER: base, KUBEQL_TOKEN: api.token } }),
      kq(['get', 'ns', 'team', '-o', 'name', '--server', base, '--token', api.token], { env: { KUBEQL_CONFIG: wrong, KUBEQL_SERVER: DEAD, KUBEQL_TOKEN: 'wrong' } }),
      kq(['get', 'ns', '--token', 'wrong'], { env: { KUBEQL_SERVER: base, KUBEQL_TOKEN: api.token } }),
    ]);
    expect(fromJson).toEqual({ code: 0, stdout: 'namespace/team\n', stderr: '' });
    expect(fromYaml).toEqual({ code: 0, stdout: 'pod/p\n', stderr: '' });
    expect(envWins).toEqual({ code: 0, stdout: 'namespace/team\n', stderr: '' });
    expect(flagWins).toEqual({ code: 0, stdout: 'namespace/team\n', stderr: '' });
    expect(flagTokenWins).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^error: You must be logged in to the server \(Unauthorized\): .*Give kq the token with --token, KUBEQL_TOKEN or "token" in /) });
  });

  it('says what to fix when the server is unreachable, the token missing or the config unreadable (exit 1)', async () => {
    const broken = config('broken', '{ server: [unclosed');
    const notObject = config('list', '- a\n- b\n');
    const [unreachable, noToken, bad, list, badUrl] = await Promise.all([
      kq(['get', 'pods', '--server', DEAD]),
      kq(['get', 'pods', '--server', base]),
      kq(['get', 'pods'], { env: { KUBEQL_CONFIG: broken } }),
      kq(['get', 'pods'], { env: { KUBEQL_CONFIG: notObject } }),
      kq(['get', 'pods', '--server', 'localhost:8080']),
    ]);
    expect(unreachable).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^error: cannot reach http:\/\/127\.0\.0\.1:9\/graphql: .*Is the API server running\? Point kq at it with --server, KUBEQL_SERVER or "server" in /) });
    expect(noToken).toMatchObject({ code: 1, stderr: expect.stringContaining('(Unauthorized)') });
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`^error: ${broken}: not valid YAML or JSON`)) });
    expect(list).toMatchObject({ code: 1, stderr: expect.stringContaining(`${notObject}: must be an object`) });
    expect(badUrl).toMatchObject({ code: 1, stderr: expect.stringContaining('must be an http:// or https:// URL') });
  });
});

describe('kq itself', () => {
  it('runs as the package bin (bin/kq.js), from any directory', async () => {
    const r = await kq(['get', 'pods', '-n', 'team', '--server', base, '--token', api.token], { bin: true, cwd: tmpdir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE\np +0\/1 +Pending +0 +\d+s\n$/);
  });

  it('prints help (exit 0) and refuses unknown commands, flags and kinds (exit 1)', async () => {
    const [help, verbHelp, api_resources, unknown, flag, sub, missingValue] = await Promise.all([
      kq(['--help']),
      kq(['get', '-h']),
      kq(['api-resources']),
      kq(['frobnicate']),
      kq(['get', 'pods', '--frob']),
      kq(['rollout']),
      kq(['get', 'pods', '-o']),
    ]);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    for (const verb of ['get', 'describe', 'apply', 'create', 'delete', 'scale', 'label', 'rollout status', 'rollout undo', 'cordon', 'uncordon', 'drain', 'top nodes', 'audit', 'history', 'replay', 'backup', 'restore'])
      expect(help.stdout).toMatch(new RegExp(`^ {2}${verb} +\\S`, 'm'));
    expect(verbHelp.stdout).toContain('Usage: kq get <kind>');
    expect(verbHelp.stdout).toMatch(/-w, --watch/);
    expect(api_resources.stdout).toMatch(/^deployments +deploy +apps\/v1 +true +Deployment$/m);
    expect(api_resources.stdout).toMatch(/^resourcequotas +quota +v1 +true +ResourceQuota$/m);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'error: unknown command "frobnicate" for "kq" (kq --help lists the commands)\n' });
    expect(flag).toEqual({ code: 1, stdout: '', stderr: "error: Unknown option '--frob' (see kq get --help)\n" });
    expect(sub).toMatchObject({ code: 1, stderr: expect.stringContaining('kq rollout needs one of: status, undo, history, restart') });
    expect(missingValue).toMatchObject({ code: 1, stderr: expect.stringContaining("'-o, --output <value>' argument missing") });
  });
});
