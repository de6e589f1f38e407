/** Where a component (controller-manager, scheduler, agents) finds the API server: --server/--token, else KUBEQL_SERVER/KUBEQL_TOKEN. */
import { parseArgs } from 'node:util';

export interface ComponentArgs {
  server: string;
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
  return {
    server: (values.server as string | undefined) ?? process.env.KUBEQL_SERVER ?? 'http://127.0.0.1:8080',
    token: (values.token as string | undefined) ?? process.env.KUBEQL_TOKEN,
    flags: values as Record<string, string | boolean | undefined>,
  };
}
