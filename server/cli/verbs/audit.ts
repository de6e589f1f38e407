/** `kq audit`: the event log through `auditLog` (DESIGN §7 "Audit shapes"), filtered by actor, verb, kind, namespace, name, revisions and time. */
import { readAuditLog, type AuditEntry } from '../../client/audit-log.js';
import { CliError } from '../cli-error.js';
import { parseDuration } from '../duration.js';
import { resolveKind } from '../kinds.js';
import { formatTable } from '../output/table.js';
import { parseFormat, toJson, toYaml } from '../output/formats.js';
import { createProgress } from '../progress.js';
import { boolFlag, stringFlag, type CliContext, type Verb } from '../verb.js';

/** Entries per page, within the API's default cost limit. */
const PAGE = 100;

/** `--since 1h` (a duration back from now) or an RFC 3339 time, as the DateTime the API takes. */
export function timeFlag(ctx: CliContext, flag: string): string | undefined {
  const value = stringFlag(ctx, flag);
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    if (Number.isNaN(Date.parse(value))) throw new CliError(`invalid --${flag} "${value}": an RFC 3339 time (2024-05-01T12:00:00Z) or a duration (1h)`);
    return new Date(value).toISOString();
  }
  return new Date(Date.now() - parseDuration(value, flag)).toISOString();
}

function revisionFlag(ctx: CliContext, flag: string): number | undefined {
  const value = stringFlag(ctx, flag);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliError(`--${flag} must be a revision number, not "${value}"`);
  return Number(value);
}

export const auditVerb: Verb = {
  name: 'audit',
  summary: 'Read the event log: who changed what, when (filter by actor, verb, kind, name, time)',
  usage: 'audit [--actor a] [--verb v] [--kind k] [-n ns] [--name n] [--since 1h | RFC 3339] [--until t] [--from-revision r] [--to-revision r] [--limit N] [-o json|yaml]',
  flags: {
    actor: { type: 'string', help: 'who (admin, system:node:n1, ...)' },
    verb: { type: 'string', help: 'create, update, patch, updateStatus, apply, bind, scale, delete' },
    kind: { type: 'string', help: 'kind, plural or short name' },
    name: { type: 'string', help: 'object name' },
    'all-namespaces': { type: 'boolean', short: 'A', help: 'every namespace (the default unless -n is given)' },
    since: { type: 'string', help: 'only newer than this: a duration back from now (30m, 2h) or an RFC 3339 time' },
    until: { type: 'string', help: 'only older than this (same forms)' },
    'from-revision': { type: 'string', help: 'from this revision' },
    'to-revision': { type: 'string', help: 'up to this revision' },
    limit: { type: 'string', help: 'at most this many entries (default: all)' },
    output: { type: 'string', short: 'o', help: 'json or yaml (with each object), else a table' },
  },
  async run(ctx) {
    const format = parseFormat(stringFlag(ctx, 'output'));
    const kindName = stringFlag(ctx, 'kind');
    const filter = Object.fromEntries(
      Object.entries({
        actor: stringFlag(ctx, 'actor'),
        verb: stringFlag(ctx, 'verb'),
        kind: kindName ? resolveKind(kindName).kind : undefined,
        namespace: ctx.namespaceGiven && !boolFlag(ctx, 'all-namespaces') ? ctx.namespace : undefined,
        name: stringFlag(ctx, 'name') ?? ctx.args[0],
        since: timeFlag(ctx, 'since'),
        until: timeFlag(ctx, 'until'),
        fromRevision: revisionFlag(ctx, 'from-revision'),
        toRevision: revisionFlag(ctx, 'to-revision'),
      }).filter(([, v]) => v !== undefined),
    );
    const limit = revisionFlag(ctx, 'limit') ?? Infinity;
    const withObject = format === 'json' || format === 'yaml';
    const progress = createProgress();
    let entries: AuditEntry[];
    try {
      entries = await readAuditLog(ctx.client(), filter, { limit, pageSize: PAGE, withObject, onPage: (n) => progress.update(`read ${n} entries`) });
    } finally {
      progress.done();
    }
    if (format === 'json') return ctx.stdout.write(toJson(entries));
    if (format === 'yaml') return ctx.stdout.write(toYaml(entries));
    if (entries.length === 0) return ctx.stderr.write('No entries found\n');
    const rows = entries.map((e) => [String(e.revision), e.ts, e.actor, e.verb, e.type, e.kind, e.namespace || '', e.name]);
    ctx.stdout.write(formatTable([['REVISION', 'TIME', 'ACTOR', 'VERB', 'TYPE', 'KIND', 'NAMESPACE', 'NAME'], ...rows]));
  },
};
