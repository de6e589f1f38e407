/** `npm start` writes the CLI's config (~/.kubeql/config, or KUBEQL_CONFIG) so `kq` talks to this plane as admin (mode 0600). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** `server` is one base URL, or several servers of one log (written as a list: kq fails over between them). */
export function writeCliConfig(server: string | readonly string[], token: string): string {
  const file = process.env.KUBEQL_CONFIG || join(homedir(), '.kubeql', 'config');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ server, token }, null, 2)}\n`, { mode: 0o600 });
  return file;
}
