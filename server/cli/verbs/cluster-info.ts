/** `kq version` and `kq cluster-info`: what kq is and which API server it talks to, as kubectl prints them. */
import { existsSync, readFileSync } from 'node:fs';
import { objectClientOf } from '../../client/object-client.js';
import { CliError } from '../cli-error.js';
import type { CliContext, Verb } from '../verb.js';

/** The version in Kubeql's package.json, found upward from this file (run from the sources or from a compiled build). */
const packageVersion = (): string => {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const file = new URL('package.json', dir);
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'kubeql') return `v${pkg.version ?? '0.0.0'}`;
    }
    if (dir.pathname === '/') return 'v0.0.0';
  }
};

const baseUrl = (ctx: CliContext) => ctx.config().server.replace(/\/graphql\/?$/, '').replace(/\/$/, '');

export const versionVerb: Verb = {
  name: 'version',
  summary: "kq's version and the API server's",
  usage: 'version [--client]',
  flags: { client: { type: 'boolean', help: "kq's version only (no server needed)" } },
  async run(ctx) {
    ctx.stdout.write(`Client Version: ${packageVersion()}\n`);
    if (ctx.flags.client === true) return;
    // The API server is this same package: its version is kq's; asking the log head proves it answers.
    const revision = await objectClientOf(ctx.client()).revision();
    ctx.stdout.write(`Server Version: ${packageVersion()} (Kubeql at ${baseUrl(ctx)}, log revision ${revision})\n`);
  },
};

export const clusterInfoVerb: Verb = {
  name: 'cluster-info',
  summary: 'Where the API server answers',
  usage: 'cluster-info',
  flags: {},
  async run(ctx) {
    if (ctx.args.length) throw new CliError('kq cluster-info takes no arguments');
    await objectClientOf(ctx.client()).revision();
    const base = baseUrl(ctx);
    ctx.stdout.write(`Kubernetes control plane is running at ${base}\n`);
    ctx.stdout.write(`GraphQL API (GraphiQL in a browser) is running at ${base}/graphql\n`);
    ctx.stdout.write(`Dashboard is running at ${base}/\n`);
    ctx.stdout.write(`\nTo further debug and diagnose cluster problems, use 'kq describe', 'kq history' and 'kq audit'.\n`);
  },
};
