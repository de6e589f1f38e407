/** kq's dispatcher: finds the verb (global flags may come first), parses its flags with node:util parseArgs, runs it, and reports any failure on stderr as exit code 1. */
import { parseArgs } from 'node:util';
import { createKubeqlClient, type KubeqlClient } from '../client/client.js';
import { CliError } from './cli-error.js';
import { loadConfig, type CliConfig } from './config.js';
import { errorText } from './report-error.js';
import { generalHelp, verbHelp } from './help.js';
import type { CliContext, FlagSpec, FlagValue, Output, Verb } from './verb.js';
import { verbs } from './verbs/all.js';

export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  server: { type: 'string', help: 'API server base URL (else KUBEQL_SERVER, else "server" in ~/.kubeql/config)' },
  token: { type: 'string', help: 'bearer token (else KUBEQL_TOKEN, else "token" in ~/.kubeql/config)' },
  namespace: { type: 'string', short: 'n', help: 'the namespace (default: "default")' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

export interface CliIO {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

const takesValue = (token: string) => /^(--server|--token|--namespace|-n)$/.test(token);

/** The verb named by the first one or two words that are not flags, and the arguments without them. */
function findVerb(argv: string[]): { verb?: Verb; words: string[]; rest: string[] } {
  const wordAt: number[] = [];
  for (let i = 0; i < argv.length && wordAt.length < 2; i++) {
    const token = argv[i];
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (takesValue(token)) i++;
      continue;
    }
    wordAt.push(i);
  }
  const words = wordAt.map((i) => argv[i]);
  const without = (indexes: number[]) => argv.filter((_, i) => !indexes.includes(i));
  if (words.length === 0) return { words, rest: argv };
  const two = words.length === 2 ? verbs.find((v) => v.name === `${words[0]} ${words[1]}` || v.aliases?.includes(`${words[0]} ${words[1]}`)) : undefined;
  if (two) return { verb: two, words, rest: without(wordAt) };
  const one = verbs.find((v) => v.name === words[0] || v.aliases?.includes(words[0]));
  return { verb: one, words: [words[0]], rest: without(wordAt.slice(0, 1)) };
}

/** kubectl spells booleans `--wait=false`; parseArgs takes only `--wait`. Returns the tokens and the flags set to false. */
function splitBooleans(tokens: string[], specs: Record<string, FlagSpec>): { tokens: string[]; falses: string[] } {
  const falses: string[] = [];
  const out: string[] = [];
  for (const token of tokens) {
    const m = /^--([^=]+)=(true|false)$/.exec(token);
    if (m && specs[m[1]]?.type === 'boolean') {
      if (m[2] === 'true') out.push(`--${m[1]}`);
      else falses.push(m[1]);
    } else out.push(token);
  }
  return { tokens: out, falses };
}

function parseFlags(verb: Verb, tokens: string[]): { args: string[]; flags: Record<string, FlagValue> } {
  const specs = { ...GLOBAL_FLAGS, ...verb.flags };
  const split = splitBooleans(tokens, specs);
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [name, { type: s.type, multiple: Boolean(s.multiple), ...(s.short ? { short: s.short } : {}) }]),
  );
  try {
    const { values, positionals } = parseArgs({ args: split.tokens, options, allowPositionals: true, strict: true });
    const flags = { ...values } as Record<string, FlagValue>;
    for (const name of split.falses) flags[name] = false;
    return { args: positionals, flags };
  } catch (e) {
    throw new CliError(`${(e as Error).message.split('. To specify')[0]} (see kq ${verb.name} --help)`);
  }
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let config: CliConfig | undefined;
  let client: KubeqlClient | undefined;
  let flagsForConfig: { server?: string; token?: string } = {};
  const getConfig = () => (config ??= loadConfig(flagsForConfig, io.env));
  try {
    const { verb, words, rest } = findVerb(argv);
    if (!verb) {
      if (words.length === 0 || words[0] === 'help') {
        const topic = words[0] === 'help' ? findVerb(rest).verb : undefined;
        io.stdout.write(topic ? verbHelp(topic, GLOBAL_FLAGS) : generalHelp(verbs));
        return 0;
      }
      const subs = verbs.filter((v) => v.name.startsWith(`${words[0]} `)).map((v) => v.name);
      if (subs.length) throw new CliError(`kq ${words[0]} needs one of: ${subs.map((s) => s.split(' ')[1]).join(', ')} (e.g. kq ${subs[0]})`);
      throw new CliError(`unknown command "${words[0]}" for "kq" (kq --help lists the commands)`);
    }
    const { args, flags } = parseFlags(verb, rest);
    if (flags.help) {
      io.stdout.write(verbHelp(verb, GLOBAL_FLAGS));
      return 0;
    }
    flagsForConfig = { server: flags.server as string | undefined, token: flags.token as string | undefined };
    const ctx: CliContext = {
      verb,
      args,
      flags,
      get namespace() {
        return (flags.namespace as string | undefined) || getConfig().namespace;
      },
      namespaceGiven: typeof flags.namespace === 'string',
      config: getConfig,
      // With several servers, a command waits a little for one to answer (a failover), not a component's quarter-minute.
      client: () => (client ??= createKubeqlClient({ server: getConfig().servers, token: getConfig().token, retryWindowMs: getConfig().servers.length > 1 ? 5000 : 0 })),
      stdout: io.stdout,
      stderr: io.stderr,
      stdin: io.stdin,
    };
    await verb.run(ctx);
    return 0;
  } catch (e) {
    let hints = {};
    try {
      hints = { configFile: getConfig().file, server: getConfig().server };
    } catch {
      // an unreadable config is itself the error being reported
    }
    const text = errorText(e, hints);
    if (text) io.stderr.write(`${text}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}
