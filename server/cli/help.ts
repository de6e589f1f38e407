/** `kq --help` and `kq <verb> --help`, written from the verbs' own descriptions. */
import type { FlagSpec, Verb } from './verb.js';

export function generalHelp(verbs: readonly Verb[]): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    'kq controls a Kubeql cluster, with kubectl\'s habits.',
    '',
    'Commands:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}   ${v.summary}`),
    '',
    'The API server is --server, else KUBEQL_SERVER, else "server" in ~/.kubeql/config (KUBEQL_CONFIG names another file), else http://127.0.0.1:8080;',
    'the token likewise (--token, KUBEQL_TOKEN, "token"). Kinds go by name, plural or short name (po, svc, deploy, rs, ep, no, ns, quota).',
    '',
    'Use "kq <command> --help" for a command\'s flags.',
    '',
  ].join('\n');
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const names = Object.entries(flags).map(([name, s]) => [`${s.short ? `-${s.short}, ` : '    '}--${name}${s.type === 'string' ? ' <value>' : ''}`, s.help]);
  const width = Math.max(...names.map(([n]) => n.length));
  return names.map(([n, help]) => `  ${n.padEnd(width)}   ${help}`);
}

export function verbHelp(verb: Verb, globals: Record<string, FlagSpec>): string {
  return [
    verb.summary,
    '',
    `Usage: kq ${verb.usage}`,
    ...(Object.keys(verb.flags).length ? ['', 'Flags:', ...flagLines(verb.flags)] : []),
    '',
    'Global flags:',
    ...flagLines(globals),
    '',
  ].join('\n');
}
