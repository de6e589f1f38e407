/** CPU time of the calling thread in ms (Linux /proc/thread-self; undefined elsewhere), for the replay benchmark's per-thread figures. */
import { readFileSync } from 'node:fs';

/** The same, as source for the worker thread (which is plain JavaScript). */
export const THREAD_CPU_SOURCE = `function threadCpuMs() {
  try {
    const stat = require('node:fs').readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch { return undefined; }
}`;

export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after "(comm)": state is index 0, utime 11, stime 12 (clock ticks, 100 per second).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
