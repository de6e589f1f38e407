/** Cells of Events as kubectl prints them: LAST SEEN with repeats, the involved object, the source. */
import type { KObject } from '../kind.js';
import { age } from './age.js';

type Obj = Record<string, any>;
const ev = (o: KObject) => o as unknown as Obj;

/** When it last happened (lastTimestamp, else eventTime, else creation). */
export const lastSeen = (o: KObject): string => ev(o).lastTimestamp ?? ev(o).eventTime ?? o.metadata.creationTimestamp;
export const firstSeen = (o: KObject): string => ev(o).firstTimestamp ?? ev(o).eventTime ?? o.metadata.creationTimestamp;

/** kubectl's `2m (x5 over 10m)` for a repeated Event, `2m` otherwise. */
export function lastSeenText(o: KObject, now: number): string {
  const count = Number(ev(o).count ?? 1);
  return count > 1 ? `${age(lastSeen(o), now)} (x${count} over ${age(firstSeen(o), now)})` : age(lastSeen(o), now);
}

/** `pod/web-1`: the involved object as kubectl names it. */
export const involvedText = (o: KObject): string => `${String(ev(o).involvedObject?.kind ?? '').toLowerCase()}/${ev(o).involvedObject?.name ?? ''}`;

/** `kubelet, node-1` (component, then host when there is one). */
export const sourceText = (o: KObject): string => [ev(o).source?.component, ev(o).source?.host].filter(Boolean).join(', ');
