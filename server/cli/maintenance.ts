/** The store's offline maintenance commands (`npm run replay`, `npm run restore`), run in this checkout against a DATA_DIR; the CLI never opens the database itself. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { CliError } from './cli-error.js';
import { PACKAGE_ROOT } from '../package-root.js';

const root = PACKAGE_ROOT + sep;

/** The data directory, absolute (the script runs in the checkout, not where kq was called). */
export function dataDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.DATA_DIR ?? './data');
}

export async function runMaintenance(script: string, args: string[], dataDir: string): Promise<void> {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.[script]) throw new CliError(`this Kubeql checkout (${root}) has no "npm run ${script}" yet`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new CliError(`npm run ${script} (DATA_DIR=${dataDir}) failed with exit code ${code}`);
}
