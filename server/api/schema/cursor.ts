/** Opaque list cursors: the revision the list reads at and the last key seen. */
import { KubeqlError } from '../../errors.js';

export interface Cursor {
  revision: number;
  namespace: string;
  name: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.revision, c.namespace, c.name])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const [revision, namespace, name] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(revision) && typeof namespace === 'string' && typeof name === 'string')
      return { revision: revision as number, namespace, name };
  } catch {
    // falls through to the error below
  }
  throw new KubeqlError('BAD_USER_INPUT', 'after: not a cursor this server issued', { field: 'after' });
}
