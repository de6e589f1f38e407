/**
 * `kq config view` (the settings kq uses and where each comes from, the token REDACTED unless --raw),
 * `kq config set-context --current --namespace=NS` (the default namespace, written to the config
 * file) and `kq config use-context`: kq's config has one context, "kubeql".
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { CliError } from '../cli-error.js';
import { configPath } from '../config.js';
import { toYaml } from '../output/formats.js';
import { boolFlag, stringFlag, type Verb } from '../verb.js';

export const CONTEXT = 'kubeql';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const configViewVerb: Verb = {
  name: 'config view',
  summary: "The settings kq uses (server, namespace, token REDACTED)",
  usage: 'config view [--raw] [-o yaml|json]',
  flags: {
    raw: { type: 'boolean', help: 'show the token' },
    output: { type: 'string', short: 'o', help: 'yaml (default) or json' },
  },
  async run(ctx) {
    const config = ctx.config();
    const view = {
      'current-context': CONTEXT,
      contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT, namespace: config.namespace } }],
      clusters: [{ name: CONTEXT, cluster: { server: config.server } }],
      users: [{ name: CONTEXT, user: { token: config.token === undefined ? null : boolFlag(ctx, 'raw') ? config.token : 'REDACTED' } }],
      file: config.file,
    };
    const format = stringFlag(ctx, 'output') ?? 'yaml';
    if (format === 'json') ctx.stdout.write(`${JSON.stringify(view, null, 4)}\n`);
    else if (format === 'yaml') ctx.stdout.write(toYaml(view));
    else throw new CliError(`kq config view prints yaml or json, not "${format}"`);
  },
};

export const configUseContextVerb: Verb = {
  name: 'config use-context',
  summary: `Select the context (kq has one: "${CONTEXT}")`,
  usage: `config use-context ${CONTEXT}`,
  flags: {},
  async run(ctx) {
    const [name, ...more] = ctx.args;
    if (!name || more.length) throw new CliError(`name the context: kq config use-context ${CONTEXT}`);
    if (name !== CONTEXT) throw new CliError(`no context exists with the name: "${name}" (kq's config has one context, "${CONTEXT}"; --server, KUBEQL_SERVER or the config file choose the server)`);
    ctx.stdout.write(`Switched to context "${CONTEXT}".\n`);
  },
};

export const configSetContextVerb: Verb = {
  name: 'config set-context',
  summary: 'Set the default namespace in the config file',
  usage: 'config set-context --current --namespace=NS',
  flags: { current: { type: 'boolean', help: 'the current context (the only one)' } },
  async run(ctx) {
    const [name, ...more] = ctx.args;
    if (more.length || (name !== undefined && name !== CONTEXT) || (name === undefined && !boolFlag(ctx, 'current')))
      throw new CliError(`kq config set-context --current --namespace=NS (kq's config has one context, "${CONTEXT}")`);
    if (!ctx.namespaceGiven) throw new CliError('give the namespace: kq config set-context --current --namespace=NS');
    if (!DNS_LABEL.test(ctx.namespace)) throw new CliError(`"${ctx.namespace}" is not a valid namespace name (a DNS label: lower case letters, digits and '-')`);
    const file = configPath();
    let current: Record<string, unknown> = {};
    if (existsSync(file)) {
      const value = parse(readFileSync(file, 'utf8')) as unknown;
      if (value !== null && value !== undefined) {
        if (typeof value !== 'object' || Array.isArray(value)) throw new CliError(`${file}: must be an object; not changed`);
        current = value as Record<string, unknown>;
      }
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ ...current, namespace: ctx.namespace }, null, 2)}\n`, { mode: 0o600 });
    ctx.stdout.write(`Context "${CONTEXT}" modified.\n`);
  },
};
