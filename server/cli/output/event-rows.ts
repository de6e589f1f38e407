/** The Events table of `kq describe`, as kubectl prints it (the `get events` columns are in resources/printing). */
import type { KObject } from '../../resources/kind.js';
import { lastSeen, lastSeenText } from '../../resources/printing/event-cells.js';
import { formatTable } from './table.js';

type Obj = Record<string, any>;
const ev = (o: KObject) => o as unknown as Obj;

/** Oldest last occurrence first, as kubectl describe sorts them. */
export const byLastSeen = (a: KObject, b: KObject) => Date.parse(lastSeen(a)) - Date.parse(lastSeen(b));

/** The rows of describe's Events table: Type, Reason, Age, From, Message, oldest first. */
export function eventRows(events: KObject[], now = Date.now()): string[][] {
  return [...events].sort(byLastSeen).map((e) => [ev(e).type ?? '', ev(e).reason ?? '', lastSeenText(e, now), ev(e).source?.component ?? '', String(ev(e).message ?? '').trim()]);
}

/** kubectl describe's Events section: a table indented by two, or `<none>`. */
export function eventsSection(events: KObject[], now = Date.now()): string {
  if (events.length === 0) return 'Events:  <none>\n';
  const rows = [...events].sort(byLastSeen).map((e) => [ev(e).type ?? '', ev(e).reason ?? '', lastSeenText(e, now), ev(e).source?.component ?? '', String(ev(e).message ?? '').trim()]);
  const table = formatTable([['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------'], ...rows]);
  return `Events:\n${table.split('\n').filter(Boolean).map((l) => `  ${l}`).join('\n')}\n`;
}
