/** What a kq verb is (name, flags, help) and what it gets to run: its arguments, flags, the namespace and a lazily made client. */
import type { KubeqlClient } from '../client/client.js';
import type { CliConfig } from './config.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** One line for `--help`. */
  help: string;
}

export type FlagValue = string | boolean | string[] | undefined;

export interface Verb {
  /** `get`, or two words for a verb with a subcommand (`rollout status`, `top nodes`). */
  name: string;
  aliases?: readonly string[];
  summary: string;
  /** The synopsis after `kq ` (`get <kind> [name...] [flags]`). */
  usage: string;
  flags: Record<string, FlagSpec>;
  run(ctx: CliContext): Promise<void>;
}

export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
}

export interface CliContext {
  verb: Verb;
  /** Positional arguments after the verb. */
  args: string[];
  flags: Record<string, FlagValue>;
  /** `-n`, else the config's namespace, else `default`. */
  namespace: string;
  /** Whether `-n` was given. */
  namespaceGiven: boolean;
  config(): CliConfig;
  client(): KubeqlClient;
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream;
}

export function stringFlag(ctx: CliContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag: `--wait`, `--wait=true`, `--wait=false`; `fallback` when absent. */
export function boolFlag(ctx: CliContext, name: string, fallback = false): boolean {
  const v = ctx.flags[name];
  return v === undefined ? fallback : v === true;
}

export function listFlag(ctx: CliContext, name: string): string[] {
  const v = ctx.flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
