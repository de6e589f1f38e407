/** Runs a store maintenance command (server/store/*-main.ts) as its own process and waits for its exit. */
import { startComponent } from '../support/processes.js';

export async function runCommand(entry: string, args: string[], env: Record<string, string>, ms = 30_000): Promise<{ code: number | null; output: string }> {
  const c = startComponent(entry, args, env);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not exit within ${ms} ms: ${c.output()}`)), ms);
    c.child.once('exit', (status) => {
      clearTimeout(timer);
      resolve(status);
    });
  });
  await c.stop();
  return { code, output: c.output() };
}

/** GET /admin/backup of a test server into `file`; resolves with the response's head revision. */
export async function downloadBackup(url: string, token: string, file: string): Promise<number> {
  const { writeFile } = await import('node:fs/promises');
  const res = await fetch(new URL('/admin/backup', url), { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`backup answered ${res.status}: ${await res.text()}`);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return Number(res.headers.get('x-kubeql-revision'));
}
