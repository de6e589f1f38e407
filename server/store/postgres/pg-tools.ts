/** PostgreSQL's client programs (pg_dump, pg_restore): the newest installed server's, else the ones on PATH. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

export function pgProgram(name: 'pg_dump' | 'pg_restore'): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => existsSync(join(root, d, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (majors.length) return join(root, majors[0], 'bin', name);
  }
  return name;
}

/** Runs a program to completion; rejects with its standard error when it exits non-zero. */
export function runProgram(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} failed (${signal ?? code}): ${stderr.trim()}`))));
  });
}
