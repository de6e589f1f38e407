/** The maintenance commands' account of a replay, for people: revision, digests per table, the verdict and the first difference. */
import { formatDifference } from './sqlite/digest.js';
import type { ReplayReport } from './records.js';

const short = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
};

export function printReplayReport(r: ReplayReport, out: (line: string) => void = console.log): void {
  out(`revision ${r.revision} (compaction floor ${r.floor}): snapshot of ${r.snapshotObjects} objects + ${r.events} events replayed in ${(r.ms / 1000).toFixed(2)} s`);
  const rows = (tables: ReplayReport['tables']) => tables.map((t) => `${t.table} ${t.rows} rows`).join(', ');
  out(`replayed digest ${r.digest} (${rows(r.tables)})`);
  out(`live digest     ${r.liveDigest} (${rows(r.liveTables)})`);
  if (r.match) return out('match: the projections equal the replay of the log');
  const d = r.firstDifference;
  out(`MISMATCH${d ? `: first difference: ${formatDifference(d)}` : ''}`);
  if (d) {
    out(`  replayed: ${d.expected ? short(d.expected) : '(no row)'}`);
    out(`  live:     ${d.actual ? short(d.actual) : '(no row)'}`);
  }
}
