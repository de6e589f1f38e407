/** Flag values the generators (create deployment, run, expose) share. */
import { CliError } from '../cli-error.js';

/** A whole number ≥ 0 (replicas, ports), as a flag gives it. */
export function parseCount(text: string, flag: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new CliError(`${flag} must be a whole number, not "${text}"`);
  return Number(text);
}

export function parsePort(text: string, flag: string): number {
  const port = parseCount(text, flag);
  if (port < 1 || port > 65535) throw new CliError(`${flag} must be a port between 1 and 65535, not ${port}`);
  return port;
}

/** kubectl create deployment's container name: the image's last path segment without tag or digest (`registry/x/nginx:1.25` → `nginx`). */
export function containerName(image: string): string {
  const last = image.split('@')[0].split('/').pop() ?? image;
  const name = last.split(':')[0].toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  if (!name) throw new CliError(`cannot name a container after the image "${image}"`);
  return name.slice(0, 63);
}

/** `a=b,c=d` (kubectl's --labels) to a map. */
export function parseLabels(text: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new CliError(`${flag}: "${pair}" is not key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
