/**
 * Faults of the disk under the log, as answers rather than internal errors: a full disk is
 * STORAGE_FULL, an I/O error UNAVAILABLE, both with `retryable: true` (nothing of the request was
 * written; the same request may succeed once the fault is gone). The store remembers that the disk
 * was full, for readiness, until space returns.
 */
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { KubeqlError } from '../../errors.js';
import type { HealthCheck } from '../types.js';

/** Free space at which a disk that was full counts as writable again. */
const FREE_AGAIN_BYTES = 4 << 20;

const sqliteCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
};

export function createStorageFaults(dataDir: string) {
  const log = join(dataDir, 'kubeql.db');
  let full = false;

  return {
    /** The error to answer for `error` thrown by a write: coded when it is a fault of the disk. */
    translate(error: unknown): unknown {
      const code = sqliteCode(error);
      if (code === 'SQLITE_FULL') {
        full = true;
        return new KubeqlError('STORAGE_FULL', `the disk holding the log (${log}) is full: nothing was written; retry once space is freed`, { retryable: true });
      }
      if (code?.startsWith('SQLITE_IOERR'))
        return new KubeqlError('UNAVAILABLE', `the log (${log}) could not be written (${code}): nothing was written; retry later`, { retryable: true });
      return error;
    },
    /** A write committed: the disk has room. */
    committed(): void {
      full = false;
    },
    /** Readiness: failing while the disk that was full has not got room again. */
    check(): HealthCheck {
      if (full) {
        try {
          const fs = statfsSync(dataDir);
          if (fs.bavail * fs.bsize >= FREE_AGAIN_BYTES) full = false;
        } catch {
          // Cannot tell: stays not ready until a write commits.
        }
      }
      return full ? { name: 'log-space', ok: false, message: `the disk holding the log (${log}) is full: writes are refused until space is freed` } : { name: 'log-space', ok: true };
    },
  };
}
