/** Events as kubectl prints them: `kq get events` columns and the Events table of `kq describe`. */
import type { KObject } from '../../resources/kind.js';
import { age } from './age.js';
import { formatTable } from './table.js';

type Obj = Record<string, any>;
const ev = (o: KObject) => o as unknown as Obj;

/** When it last happened (lastTimestamp, else eventTime, else creation). */
export const lastSeen = (o: KObject): string => ev(o).lastTimestamp ?? ev(o).eventTime ?? o.metadata.creationTimestamp;
const firstSeen = (o: KObject): string => ev(o).firstTimestamp ?? ev(o).eventTime ?? o.metadata.creationTimestamp;

/** kubectl's `2m (x5 over 10m)` for a repeated Event, `2m` otherwise. */
export function lastSeenText(o: KObject, now: number): string {
  const count = Number(ev(o).count ?? 1);
  return count > 1 ? `${age(lastSeen(o), now)} (x${count} over ${age(firstSeen(o), now)})` : age(lastSeen(o), now);
}

/** `pod/web-1`: the involved object as kubectl names it. */
export const involvedText = (o: KObject): string => `${String(ev(o).involvedObject?.kind ?? '').toLowerCase()}/${ev(o).involvedObject?.name ?? ''}`;

/** `kubelet, node-1` (component, then host when there is one). */
export const sourceText = (o: KObject): string => [ev(o).source?.component, ev(o).source?.host].filter(Boolean).join(', ');

/** Oldest last occurrence first, as kubectl describe sorts them. */
export const byLastSeen = (a: KObject, b: KObject) => Date.parse(lastSeen(a)) - Date.parse(lastSeen(b));

/** kubectl describe's Events section: a table indented by two, or `<none>`. */
export function eventsSection(events: KObject[], now = Date.now()): string {
  if (events.length === 0) return 'Events:  <none>\n';
  const rows = [...events].sort(byLastSeen).map((e) => [ev(e).type ?? '', ev(e).reason ?? '', lastSeenText(e, now), ev(e).source?.component ?? '', String(ev(e).message ?? '').trim()]);
  const table = formatTable([['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------'], ...rows]);
  return `Events:\n${table.split('\n').filter(Boolean).map((l) => `  ${l}`).join('\n')}\n`;
}
