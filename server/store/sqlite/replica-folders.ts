/**
 * Where replicas live: each process's replica in a folder named for its process id
 * (`kubeql-replica-<pid>-<random>`), so a server that crashed (kill -9, power loss) and could not
 * remove its copy of the database is recognised later: the next replica opened in the same
 * directory removes every folder whose process is gone. A process id the system has since given to
 * another process keeps its folder until that one is gone too; folders of live processes (other
 * API servers on the same data directory) are never touched.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'kubeql-replica-';
const NAMED = /^kubeql-replica-(\d+)-/;

/** Whether process `pid` exists (EPERM: it does, owned by another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the replica folders in `dir` whose process is gone; returns their names. */
export function removeOrphanReplicas(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = Number(NAMED.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** A new, empty folder for this process's replica in `dir` (created if missing), after removing orphans. */
export function newReplicaFolder(dir: string): string {
  mkdirSync(dir, { recursive: true });
  removeOrphanReplicas(dir);
  return mkdtempSync(join(dir, `${PREFIX}${process.pid}-`));
}
