/** Go-style durations as kubectl takes them (`30s`, `1h30m`, `500ms`; a bare number is seconds), in milliseconds. */
import { CliError } from './cli-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new CliError(`invalid value "${text}" for --${flag}: use a duration such as 30s, 5m or 1h30m`);
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * UNITS[unit], 0);
}
