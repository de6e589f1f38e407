/**
 * The PostgreSQL start:ha runs (server/components/local-postgres.ts) is reached through a Unix
 * socket in its directory, closed to other users: the URL it gives connects there (PostgreSQL sees
 * no client address), still with the password. A directory whose socket path would pass the
 * system's limit, or whose name holds a comma, a space or a quote, gets loopback TCP instead. Skipped, saying how to install it, where PostgreSQL is
 * absent (CI fails).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/components/free-port.js';
import { postgresBinDir, startLocalPostgres, type LocalPostgres } from '../../server/components/local-postgres.js';

const missing = postgresBinDir() ? undefined : 'PostgreSQL is not installed: apt-get install -y postgresql to run the local PostgreSQL test';
if (missing && process.env.CI === 'true') throw new Error(missing);

const started: LocalPostgres[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const p of started) await p.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory PostgreSQL's own user can pass through, `depth` levels of long names deep. */
function base(depth = 0): string {
  let dir = mkdtempSync(join(tmpdir(), 'kubeql-lpg-'));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  for (let i = 0; i < depth; i++) {
    dir = join(dir, 'a-directory-name-long-enough-to-matter'.slice(0, 38));
    mkdirSync(dir, { mode: 0o755 });
  }
  return dir;
}

async function serverAddress(url: string): Promise<{ address: string | null; user: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT inet_server_addr()::text AS address, current_user AS user');
    return rows[0];
  } finally {
    await client.end();
  }
}

describe.skipIf(missing !== undefined)('the PostgreSQL of start:ha', () => {
  it('gives a URL through a Unix socket in its directory, closed to other users', async () => {
    const dir = base();
    const p = await startLocalPostgres({ dir: join(dir, 'cluster'), passwordFile: join(dir, 'password'), port: await freePort() });
    started.push(p);
    expect(p.url).toContain(`?host=${encodeURIComponent(join(dir, 'cluster'))}`);
    // A Unix-socket connection has no server address.
    expect(await serverAddress(p.url)).toEqual({ address: null, user: 'kubeql' });
    expect(await serverAddress(p.database('second'))).toEqual({ address: null, user: 'kubeql' });
    expect(statSync(join(dir, 'cluster', `.s.PGSQL.${p.port}`)).mode & 0o777).toBe(0o700);
    // The password is still asked for there.
    const wrong = p.url.replace(/^postgres:\/\/kubeql:[^@]+@/, 'postgres://kubeql:wrong@');
    await expect(serverAddress(wrong)).rejects.toThrow(/password authentication failed/);
  });

  it('falls back to loopback TCP where the socket path would pass the system limit', async () => {
    const dir = base(3);
    const p = await startLocalPostgres({ dir: join(dir, 'cluster'), passwordFile: join(dir, 'password'), port: await freePort() });
    started.push(p);
    expect(Buffer.byteLength(join(dir, 'cluster', `.s.PGSQL.${p.port}`))).toBeGreaterThan(107);
    expect(p.url).not.toContain('?host=');
    expect(await serverAddress(p.url)).toEqual({ address: '127.0.0.1/32', user: 'kubeql' });
  });

  it('falls back to loopback TCP where the directory name holds what a list of directories would read otherwise', async () => {
    const dir = join(base(), 'a, "b"');
    mkdirSync(dir, { mode: 0o755 });
    const p = await startLocalPostgres({ dir: join(dir, 'cluster'), passwordFile: join(dir, 'password'), port: await freePort() });
    started.push(p);
    expect(p.url).not.toContain('?host=');
    expect(await serverAddress(p.url)).toEqual({ address: '127.0.0.1/32', user: 'kubeql' });
  });
});
