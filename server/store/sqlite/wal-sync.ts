/**
 * fdatasync of the log's WAL file on libuv's threadpool, for KUBEQL_SYNC=DURABLE: SQLite commits
 * with synchronous=NORMAL (its COMMIT writes the WAL frames but does not sync them), and the group
 * commit acknowledges a batch only after a sync of the WAL that began after the batch's COMMIT.
 *
 * fdatasync flushes a file (inode), whichever descriptor names it, so one descriptor opened
 * read-only is enough. The descriptor follows the file: before each sync the path's inode is
 * compared with the open descriptor's, and the file reopened if SQLite replaced it (a WAL deleted
 * when the last connection closed and created again). A WAL truncated or restarted in place keeps
 * its inode; its frames were checkpointed into the database file, which SQLite synced first.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, openSync, statSync } from 'node:fs';

export interface WalSync {
  /** Resolves once everything written to the WAL file before this call is on disk. */
  sync(): Promise<void>;
  /** The same, on the calling thread: for the rare writes outside the group commit (tokens). */
  syncNow(): void;
  close(): void;
}

export function createWalSync(walPath: string): WalSync {
  let fd: number | undefined;
  let inode = -1;

  function descriptor(): number {
    const current = statSync(walPath).ino;
    if (fd !== undefined && current === inode) return fd;
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    const opened = openSync(walPath, 'r');
    inode = fstatSync(opened).ino;
    fd = opened;
    return opened;
  }

  return {
    sync() {
      return new Promise<void>((resolve, reject) => {
        let target: number;
        try {
          target = descriptor();
        } catch (error) {
          reject(error);
          return;
        }
        fdatasync(target, (error) => (error ? reject(error) : resolve()));
      });
    },
    syncNow() {
      fdatasyncSync(descriptor());
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
