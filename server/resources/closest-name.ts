/** "Did you mean": the candidate a mistyped name most likely meant (no such kind, no such resource type). */

/** Levenshtein distance, case-sensitive; stops counting past `max` (returns max + 1). */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...row) > max) return max + 1;
    prev = row;
  }
  return prev[b.length];
}

/**
 * The closest candidate, compared case-insensitively: within a third of the name's length in edits
 * (at least 1, at most 3), or one the name begins (3 characters or more). Undefined when none is
 * close; inputs longer than 100 characters are not compared.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  if (wanted.length === 0 || wanted.length > 100) return undefined;
  const max = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  let best: { name: string; d: number } | undefined;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = wanted.length >= 3 && c.startsWith(wanted) ? 1 : editDistance(wanted, c, max);
    if (d <= max && (!best || d < best.d)) best = { name: candidate, d };
  }
  return best?.name;
}
