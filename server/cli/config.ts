/**
 * Where kq finds the API server and its token: `--server`/`--token` win, then KUBEQL_SERVER /
 * KUBEQL_TOKEN, then the config file (`~/.kubeql/config`, or the file KUBEQL_CONFIG names: JSON
 * or YAML `{ server, token, namespace }`), then `http://127.0.0.1:8080`. Several servers of one log
 * may be given (`--server URL1,URL2`, the same in KUBEQL_SERVER, or `server` as a list in the file):
 * kq tries them in order and uses the first that answers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { serverList } from '../client/server-urls.js';
import { yaml } from './yaml.js';
import { CliError } from './cli-error.js';

export interface CliConfig {
  /** The server, or several separated by commas. */
  server: string;
  /** Each server, in the order to try them. */
  servers: string[];
  token?: string;
  /** The namespace to use when `-n` is not given. */
  namespace: string;
  /** The file read, for messages. */
  file: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEQL_CONFIG || join(homedir(), '.kubeql', 'config');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  let value: unknown;
  const text = readFileSync(file, 'utf8');
  try {
    // The file npm start writes is JSON (which is YAML): parsed without loading the YAML library.
    value = parseJson(text) ?? yaml().parse(text);
  } catch (e) {
    throw new CliError(`${file}: not valid YAML or JSON (${(e as Error).message.split('\n')[0]}); it should hold { "server": "http://127.0.0.1:8080", "token": "..." }`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new CliError(`${file}: must be an object such as { "server": "http://127.0.0.1:8080", "token": "..." }`);
  const record = { ...(value as Record<string, unknown>) };
  // "server" may list several servers of one log.
  if (Array.isArray(record.server)) {
    if (!record.server.every((s) => typeof s === 'string')) throw new CliError(`${file}: "server" must be a URL or a list of URLs`);
    record.server = record.server.join(',');
  }
  for (const key of ['server', 'token', 'namespace'] as const) {
    const v = record[key];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new CliError(`${file}: "${key}" must be ${key === 'server' ? 'a URL or a list of URLs' : 'a string'}`);
  }
  return record;
}

export function loadConfig(flags: { server?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const file = configPath(env);
  const fromFile = readConfigFile(file);
  const pick = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string' && v !== '');
  const server = pick(flags.server, env.KUBEQL_SERVER, fromFile.server) ?? DEFAULT_SERVER;
  let servers: string[];
  try {
    servers = serverList(server);
  } catch (e) {
    throw new CliError(`${(e as Error).message} (from --server, KUBEQL_SERVER or ${file})`);
  }
  return {
    server,
    servers,
    token: pick(flags.token, env.KUBEQL_TOKEN, fromFile.token),
    namespace: pick(fromFile.namespace) ?? 'default',
    file,
  };
}
