/** Kubeql's own verbs against a real API server: kq audit (the log, filtered), kq history (versions with diffs), kq replay --verify (online and on a data directory), kq backup and kq restore. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { kqFor } from '../support/kq.js';
import { parseTable } from './table.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;
let dir: string;
let firstUid: string;
let secondUid: string;

const POD = `apiVersion: v1
kind: Pod
metadata: { name: audited, labels: { app: a } }
spec: { containers: [{ name: app, image: nginx }] }
`;

beforeAll(async () => {
  api = await startTestApi();
  kq = kqFor({ url: api.server.url, token: api.token });
  dir = mkdtempSync(join(tmpdir(), 'kq-audit-'));
  const apply = (m: string) => api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, { m });
  await apply(POD);
  await api.ok(`mutation { patchPod(namespace: "default", name: "audited", patch: { metadata: { labels: { tier: "web" } } }) { metadata { name } } }`);
  firstUid = (await api.ok(`{ pod(namespace: "default", name: "audited") { metadata { uid } } }`)).pod.metadata.uid;
  await api.ok(`mutation { deletePod(namespace: "default", name: "audited") { metadata { name } } }`);
  await apply(POD.replace('nginx', 'nginx:2'));
  secondUid = (await api.ok(`{ pod(namespace: "default", name: "audited") { metadata { uid } } }`)).pod.metadata.uid;
  await apply(`apiVersion: apps/v1
kind: Deployment
metadata: { name: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: shop } }
  template: { metadata: { labels: { app: shop } }, spec: { containers: [{ name: app, image: shop }] } }
`);
  await api.ok(`mutation { scaleDeployment(namespace: "default", name: "shop", replicas: 3) { metadata { name } } }`);
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kq audit', () => {
  it('lists the log filtered by kind, name, verb, actor and time', async () => {
    const [byObject, byVerb, future, json, badSince] = await Promise.all([
      kq.run(['audit', '--kind', 'po', '--name', 'audited']),
      kq.run(['audit', '--verb', 'scale', '--actor', 'admin', '--since', '1h']),
      kq.run(['audit', '--since', '2999-01-01T00:00:00Z']),
      kq.run(['audit', '--kind', 'deploy', '-o', 'json']),
      kq.run(['audit', '--since', 'yesterday']),
    ]);
    expect(byObject.code, byObject.stderr).toBe(0);
    expect(byObject.stdout.split('\n')[0]).toMatch(/^REVISION +TIME +ACTOR +VERB +TYPE +KIND +NAMESPACE +NAME$/);
    expect(parseTable(byObject.stdout).map((r) => [r.ACTOR, r.VERB, r.TYPE, r.KIND, r.NAMESPACE, r.NAME])).toEqual([
      ['admin', 'apply', 'ADDED', 'Pod', 'default', 'audited'],
      ['admin', 'patch', 'MODIFIED', 'Pod', 'default', 'audited'],
      ['admin', 'delete', 'DELETED', 'Pod', 'default', 'audited'],
      ['admin', 'apply', 'ADDED', 'Pod', 'default', 'audited'],
    ]);
    for (const r of parseTable(byObject.stdout)) expect(r.TIME).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(parseTable(byVerb.stdout).map((r) => `${r.VERB} ${r.KIND}/${r.NAME}`)).toEqual(['scale Deployment/shop']);
    expect(future).toEqual({ code: 0, stdout: '', stderr: 'No entries found\n' });
    const entries = JSON.parse(json.stdout);
    expect(entries.map((e: { verb: string; object: { spec: { replicas: number } } }) => [e.verb, e.object.spec.replicas])).toEqual([
      ['apply', 1],
      ['scale', 3],
    ]);
    expect(badSince).toMatchObject({ code: 1, stderr: expect.stringContaining('invalid value "yesterday" for --since') });
  });
});

describe('kq history', () => {
  it('prints every version of an object with the change from the one before, across delete and re-create', async () => {
    const [pod, deploy, none] = await Promise.all([kq.run(['history', 'pod/audited']), kq.run(['history', 'deploy', 'shop']), kq.run(['history', 'svc/never'])]);
    expect(pod.code, pod.stderr).toBe(0);
    const lines = pod.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^revision \\d+  \\S+  admin  apply  ADDED  uid ${firstUid}$`));
    expect(lines[1]).toMatch(/^revision \d+ {2}\S+ {2}admin {2}patch {2}MODIFIED$/);
    expect(lines[2]).toBe('  + /metadata/labels/tier: "web"');
    expect(lines[3]).toMatch(/^revision \d+ {2}\S+ {2}admin {2}delete {2}DELETED$/);
    expect(lines[4]).toMatch(new RegExp(`^revision \\d+  \\S+  admin  apply  ADDED  uid ${secondUid}$`));
    expect(deploy.stdout).toMatch(/^revision \d+ {2}\S+ {2}admin {2}scale {2}MODIFIED\n(?: {2}.*\n)*? {2}~ \/spec\/replicas: 1 → 3\n/m);
    expect(none).toMatchObject({ code: 1, stderr: expect.stringContaining('no history for services "never"') });
  });
});

describe('kq replay, backup and restore', () => {
  it('replay --verify rebuilds the projections from the log online and reports matching digests (and replay without it too)', async () => {
    const [r, rebuild] = await Promise.all([kq.run(['replay', '--verify']), kq.run(['replay'])]);
    expect(r.code, r.stderr).toBe(0);
    // Without --verify the server also replaces differing projections; here none differ.
    expect(rebuild.code, rebuild.stderr).toBe(0);
    expect(rebuild.stdout).toMatch(/^match: true$/m);
    expect(r.stdout).toMatch(/^match: true$/m);
    const digest = /^digest: (\S+)$/m.exec(r.stdout)?.[1];
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(r.stdout).toContain(`liveDigest: ${digest}\n`);
  });

  it('backup writes a consistent SQLite snapshot to a file or to stdout (a bad token is refused); restore puts it in an empty data directory', async () => {
    const file = join(dir, 'backup.db');
    const [toFile, toStdout, refused] = await Promise.all([
      kq.run(['backup', file]),
      kq.run(['backup']),
      kqFor({ url: api.server.url, token: 'wrong' }).run(['backup', join(dir, 'never.db')]),
    ]);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stderr).toMatch(new RegExp(`^backup of \\d+ bytes written to ${file}\\n$`));
    expect(readFileSync(file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\u0000');
    expect(toStdout.code, toStdout.stderr).toBe(0);
    expect(toStdout.stdout.startsWith('SQLite format 3')).toBe(true);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('(Unauthorized)') });

    // Offline, through the store's maintenance commands: restore into an empty directory, then verify it.
    const restored = join(dir, 'restored');
    const restore = await kq.run(['restore', file, '--data-dir', restored]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(new RegExp(`restored ${file} into ${restored}: revision \\d+, digest [0-9a-f]{64}`));
    const [verifyRestored, verifyLive, again] = await Promise.all([
      kq.run(['replay', '--verify', '--data-dir', restored]),
      kq.run(['replay', '--verify', '--data-dir', api.dataDir]),
      kq.run(['restore', file, '--data-dir', restored]),
    ]);
    expect(verifyRestored.code, verifyRestored.stderr).toBe(0);
    expect(verifyRestored.stdout).toMatch(/^match/m);
    expect(verifyLive.code, verifyLive.stderr).toBe(0);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`error: npm run restore (DATA_DIR=${restored}) failed with exit code 1`);
  }, 90_000);
});
