/**
 * `kq replay --verify`: rebuild the projections from the log and compare digests (DESIGN §7
 * "Replay"). Online through the admin mutation `replay(verify)`; with --data-dir, offline through
 * `npm run replay` (without --verify that rebuilds in place, with the server stopped). The
 * result's fields are read from the schema, so kq prints whatever the server reports.
 */
import { replay, replaySupport } from '../../client/replay-log.js';
import { CliError } from '../cli-error.js';
import { dataDirOf, runMaintenance } from '../maintenance.js';
import { createProgress } from '../progress.js';
import { boolFlag, stringFlag, type Verb } from '../verb.js';

const scalar = (v: unknown) => (v === null || v === undefined ? '<none>' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** `key: value`; an object's fields indented under its key; a list of objects one item a line. */
function resultLines(key: string, value: unknown): string {
  if (Array.isArray(value)) return `${key}:\n${value.map((item) => `  - ${item && typeof item === 'object' ? Object.entries(item).map(([k, v]) => `${k}: ${scalar(v)}`).join(', ') : scalar(item)}\n`).join('')}`;
  if (value && typeof value === 'object') return `${key}:\n${Object.entries(value).map(([k, v]) => `  ${k}: ${scalar(v)}\n`).join('')}`;
  return `${key}: ${scalar(value)}\n`;
}

/** A false verdict (`match: false`, `ok: false`, ...) means the projections differ from the log. */
const VERDICT = /^(match|matches|matched|ok|verified|equal|consistent|identical)$/i;

export const replayVerb: Verb = {
  name: 'replay',
  summary: 'Rebuild the projections from the event log and compare digests (--verify), online or on a data directory',
  usage: 'replay --verify [--data-dir DIR] | replay [--data-dir DIR]  (without --verify: rebuild the projections that differ)',
  flags: {
    verify: { type: 'boolean', help: 'compare only: rebuild aside, print the digests, exit 1 on a difference (without it, differing projections are replaced)' },
    'data-dir': { type: 'string', help: 'work offline on this DATA_DIR (npm run replay) instead of asking the server' },
  },
  async run(ctx) {
    const verify = boolFlag(ctx, 'verify');
    const dataDir = stringFlag(ctx, 'data-dir');
    if (dataDir !== undefined) return runMaintenance('replay', verify ? ['--verify'] : [], dataDirOf(dataDir));
    const client = ctx.client();
    const support = await replaySupport(client);
    if (!support) throw new CliError('this API server has no replay mutation; check its data directory offline instead: kq replay --verify --data-dir <DATA_DIR>');
    if (!verify && !support.takesVerify) throw new CliError('this API server replays only to verify: use kq replay --verify, or kq replay --data-dir <DATA_DIR> with the server stopped');
    const progress = createProgress();
    let result: unknown;
    try {
      progress.update('replaying the log');
      result = await replay(client, support, { verify });
    } finally {
      progress.done();
    }
    const entries = result !== null && typeof result === 'object' ? Object.entries(result) : [['result', result]];
    for (const [key, value] of entries) ctx.stdout.write(resultLines(String(key), value));
    const failed = entries.find(([key, value]) => VERDICT.test(String(key)) && value === false);
    if (failed) throw new CliError(`the projections rebuilt from the log differ from the server's (${failed[0]}: false)`);
  },
};
