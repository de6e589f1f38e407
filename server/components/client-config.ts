/**
 * Where a component (controller-manager, scheduler, agents) finds the API server: --server/--token,
 * else KUBEQL_SERVER/KUBEQL_TOKEN. The server may be several servers of one log, separated by
 * commas (`--server http://a:8080,http://b:8080`): the component's client fails over between them.
 */
import { parseArgs } from 'node:util';
import { serverList } from '../client/server-urls.js';

export interface ComponentArgs {
  /** The server, or several separated by commas (createKubeqlClient takes either). */
  server: string;
  /** Each server, in the order to try them. */
  servers: string[];
  token?: string;
  /** The rest of the flags, as strings (component-specific). */
  flags: Record<string, string | boolean | undefined>;
}

export function componentArgs(argv: string[], extra: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = {}): ComponentArgs {
  const { values } = parseArgs({
    args: argv,
    options: { server: { type: 'string' }, token: { type: 'string' }, ...extra },
    allowPositionals: false,
  });
  const server = (values.server as string | undefined) ?? process.env.KUBEQL_SERVER ?? 'http://127.0.0.1:8080';
  // A mistyped URL is said at start, naming it, rather than on the first request.
  let servers: string[];
  try {
    servers = serverList(server);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message} (from --server or KUBEQL_SERVER)\n`);
    process.exit(1);
  }
  return {
    server: servers.join(','),
    servers,
    token: (values.token as string | undefined) ?? process.env.KUBEQL_TOKEN,
    flags: values as Record<string, string | boolean | undefined>,
  };
}
