/** Opaque cursors of the log's connections (auditLog, history): the revision of the last event on the page. */
import { KubeqlError } from '../../errors.js';

const TAG = 'rev';

export function encodeRevisionCursor(revision: number): string {
  return Buffer.from(JSON.stringify([TAG, revision])).toString('base64url');
}

export function decodeRevisionCursor(text: string): number {
  try {
    const [tag, revision] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (tag === TAG && Number.isSafeInteger(revision) && (revision as number) >= 0) return revision as number;
  } catch {
    // falls through to the error below
  }
  throw new KubeqlError('BAD_USER_INPUT', 'after: not a cursor this server issued', { field: 'after' });
}
