/** `kq restore FILE`: the store's offline restore (`npm run restore -- FILE`) into an empty DATA_DIR, with the API server stopped. */
import { resolve } from 'node:path';
import { CliError } from '../cli-error.js';
import { dataDirOf, runMaintenance } from '../maintenance.js';
import { stringFlag, type Verb } from '../verb.js';

export const restoreVerb: Verb = {
  name: 'restore',
  summary: 'Restore a backup into an empty data directory (offline: npm run restore)',
  usage: 'restore FILE [--data-dir DIR]   (DIR defaults to $DATA_DIR, else ./data)',
  flags: { 'data-dir': { type: 'string', help: 'the empty data directory to restore into' } },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new CliError('name the backup file: kq restore FILE [--data-dir DIR]');
    const dataDir = dataDirOf(stringFlag(ctx, 'data-dir'));
    await runMaintenance('restore', [resolve(ctx.args[0])], dataDir);
  },
};
