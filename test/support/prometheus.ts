/** Scrapes a Prometheus text endpoint into samples, for tests that compare metrics before and after a workload. */

/** Samples by `name{label="value",...}` with labels sorted by name. */
export type Samples = Map<string, number>;

const key = (name: string, labels: Record<string, string> = {}) => {
  const parts = Object.keys(labels)
    .sort()
    .map((l) => `${l}=${JSON.stringify(labels[l])}`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
};

export function parseSamples(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = JSON.parse(`"${l[2]}"`);
    samples.set(key(m[1], labels), Number(m[3]));
  }
  return samples;
}

export async function scrape(baseUrl: string): Promise<Samples> {
  const res = await fetch(new URL('/metrics', baseUrl));
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseSamples(await res.text());
}

/** One sample's value (0 when the series does not exist yet). */
export function sample(samples: Samples, name: string, labels?: Record<string, string>): number {
  return samples.get(key(name, labels)) ?? 0;
}

/** The change of one sample between two scrapes. */
export const delta = (before: Samples, after: Samples, name: string, labels?: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);

/** Every series of `name` (suffix included, e.g. `_count`) whose value changed, with its change. */
export function changed(before: Samples, after: Samples, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) if ((k === name || k.startsWith(`${name}{`)) && v !== (before.get(k) ?? 0)) out[k] = v - (before.get(k) ?? 0);
  return out;
}
