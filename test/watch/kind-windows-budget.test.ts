/**
 * The per-kind windows hold each kind's recent events within its own bounds and all kinds together
 * within one byte budget: past it the kind holding the most gives up its oldest events, so a burst
 * of one kind cannot push a quiet kind's events out, and twenty busy kinds cannot each hold their
 * own maximum.
 */
import { describe, expect, it } from 'vitest';
import { createKindWindows, type KindWindows } from '../../server/api/watch/kind-windows.js';
import type { LogEvent } from '../../server/api/watch/transition.js';
import type { KObject } from '../../server/resources/kind.js';

let revision = 0;
function event(kind: string, bytes: number): LogEvent {
  revision++;
  const object = { apiVersion: 'v1', kind, metadata: { name: `o${revision}`, namespace: 'default' } } as unknown as KObject;
  return {
    event: { revision, ts: 0, actor: 'test', verb: 'create', type: 'ADDED', kind, namespace: 'default', name: `o${revision}`, uid: `u${revision}`, prevRevision: null, object, requestId: null, bytes },
    previous: () => undefined,
  };
}

/** The events of `kind` a catch-up can still be served: from the earliest revision the window answers for. */
function reachable(windows: KindWindows, kind: string): LogEvent[] {
  for (let from = 0; from <= revision; from++) {
    const events = windows.after(kind, from);
    if (events !== undefined) return events;
  }
  return [];
}
const bytesOf = (events: LogEvent[]) => events.reduce((n, e) => n + (e.event.bytes ?? 0), 0);

describe('the per-kind event windows', () => {
  it('keep all kinds within one byte budget, taking from the kind that holds the most', () => {
    revision = 0;
    const windows = createKindWindows(0, 1_000, 1_000, 1_500);
    const total = () => ['ConfigMap', 'Pod', 'Lease'].reduce((n, kind) => n + bytesOf(reachable(windows, kind)), 0);
    windows.push(event('ConfigMap', 100));
    windows.push(event('ConfigMap', 100));
    for (let i = 0; i < 40; i++) {
      windows.push(event('Pod', 100));
      expect(total()).toBeLessThanOrEqual(1_500);
    }
    // A burst of one kind stays within its own bound and leaves the quiet kind whole.
    expect(bytesOf(reachable(windows, 'Pod'))).toBe(1_000);
    expect(windows.after('ConfigMap', 0)?.map((e) => e.event.revision)).toEqual([1, 2]);

    // A second busy kind: together they are held to the budget; the kind holding the most gives way.
    for (let i = 0; i < 30; i++) {
      windows.push(event('Lease', 100));
      expect(total()).toBeLessThanOrEqual(1_500);
    }
    expect(windows.after('ConfigMap', 0)?.map((e) => e.event.revision)).toEqual([1, 2]);
    const [pods, leases] = [bytesOf(reachable(windows, 'Pod')), bytesOf(reachable(windows, 'Lease'))];
    expect(pods + leases).toBe(1_300);
    expect(Math.abs(pods - leases)).toBeLessThanOrEqual(100);
    // What a window no longer holds is not served from it (the catch-up reads the log).
    expect(windows.after('Pod', 2)).toBeUndefined();
    expect(windows.after('Lease', 42)).toBeUndefined();
  });

  it("keep each kind's newest event, even when the budget is smaller than the kinds' newest events together", () => {
    revision = 0;
    const windows = createKindWindows(0, 100, 10_000, 150);
    for (const kind of ['A', 'B', 'C']) windows.push(event(kind, 100));
    for (const kind of ['A', 'B', 'C']) expect(windows.after(kind, 0)?.map((e) => e.event.kind)).toEqual([kind]);
    windows.push(event('A', 100));
    expect(windows.after('A', 0)).toBeUndefined();
    expect(windows.after('A', 1)?.map((e) => e.event.revision)).toEqual([4]);
  });
});
