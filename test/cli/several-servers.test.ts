/** kq with several servers of one log: --server, KUBEQL_SERVER and the config file's list; the first that answers serves, a bad entry is named. */
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
  dir = mkdtempSync(join(tmpdir(), 'kq-servers-'));
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kq with several servers', () => {
  it('uses the first server that answers, from a flag, the environment or a list in the config file', async () => {
    const file = join(dir, 'list.yaml');
    writeFileSync(file, `server:\n  - ${DEAD}\n  - ${base}\ntoken: ${api.token}\n`);
    const [flag, env, fromFile, info] = await Promise.all([
      kq(['get', 'ns', 'default', '-o', 'name', '--server', `${DEAD},${base}`, '--token', api.token]),
      kq(['get', 'ns', 'default', '-o', 'name'], { env: { KUBEQL_SERVER: `${DEAD}, ${base}/graphql`, KUBEQL_TOKEN: api.token } }),
      kq(['get', 'ns', 'default', '-o', 'name'], { env: { KUBEQL_CONFIG: file } }),
      kq(['cluster-info'], { env: { KUBEQL_CONFIG: file } }),
    ]);
    for (const r of [flag, env, fromFile]) expect(r).toMatchObject({ code: 0, stdout: 'namespace/default\n', stderr: '' });
    // cluster-info names the server that answered.
    expect(info).toMatchObject({ code: 0, stdout: expect.stringContaining(`Kubernetes control plane is running at ${base}\n`) });
  });

  it('names a bad entry, and says every server is unreachable when none answers (exit 1)', async () => {
    const badList = join(dir, 'bad.yaml');
    writeFileSync(badList, `server:\n  - ${base}\n  - 8080\n`);
    const [badFlag, badFile, none] = await Promise.all([
      kq(['get', 'ns', '--server', `${base},localhost:8080`, '--token', api.token]),
      kq(['get', 'ns'], { env: { KUBEQL_CONFIG: badList } }),
      kq(['get', 'ns', '--server', `${DEAD},http://127.0.0.1:10`, '--token', api.token]),
    ]);
    expect(badFlag).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('server "localhost:8080" must be an http:// or https:// URL') });
    expect(badFile).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('"server" must be a URL or a list of URLs') });
    expect(none).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^error: cannot reach any of http:\/\/127\.0\.0\.1:9\/graphql, http:\/\/127\.0\.0\.1:10\/graphql/) });
  });
});
