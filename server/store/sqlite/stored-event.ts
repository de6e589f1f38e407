/** A log row as the rest of the server sees it: the object parsed, the type narrowed. */
import type { KObject } from '../../resources/kind.js';
import type { events } from './tables.js';
import type { EventType, StoredEvent } from '../types.js';

export function toStoredEvent(row: typeof events.$inferSelect): StoredEvent {
  return { ...row, type: row.type as EventType, object: JSON.parse(row.object) as KObject, bytes: row.object.length };
}
