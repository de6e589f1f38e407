/**
 * fdatasync of the log's WAL file on libuv's threadpool, for KUBEQL_SYNC=DURABLE: SQLite commits
 * with synchronous=NORMAL (its COMMIT writes the WAL frames but does not sync them), and the group
 * commit acknowledges a batch only after a sync of the WAL that began after the batch's COMMIT.
 *
 * fdatasync flushes a file (inode), whichever descriptor names it, so one descriptor opened
 * read-only is enough, opened at the first sync and kept. The WAL keeps its inode while the store's
 * connection is open: SQLite deletes it only when the last connection to the database closes (or
 * leaves WAL mode), and truncates or restarts it in place otherwise (its frames were checkpointed
 * into the database file, which SQLite synced first). Should anything else unlink it, SQLite goes on
 * writing the open inode, which is the one synced here. (The path was stat'ed before every sync to
 * follow a replaced file: 14 µs a sync, a lone write's every sync, for a case that cannot occur.)
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

export interface WalSync {
  /** Resolves once everything written to the WAL file before this call is on disk. */
  sync(): Promise<void>;
  /** The same, on the calling thread: for the rare writes outside the group commit (tokens). */
  syncNow(): void;
  close(): void;
}

export function createWalSync(walPath: string): WalSync {
  let fd: number | undefined;

  function descriptor(): number {
    fd ??= openSync(walPath, 'r');
    return fd;
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
