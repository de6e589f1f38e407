/** `kq backup [FILE]` (or `kq backup > FILE`): a consistent online snapshot of the database from `GET /admin/backup` (DESIGN §7 "Backup and restore"). */
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ClientError } from '../../client/client-error.js';
import { CliError } from '../cli-error.js';
import { createProgress } from '../progress.js';
import type { Verb } from '../verb.js';

/** The server's base URL (`http://host:port`) from its configured address. */
export function baseUrl(server: string): string {
  return server.replace(/\/+$/, '').replace(/\/graphql$/, '');
}

/** The error of a refused backup, as a ClientError when the body is GraphQL-shaped. */
async function refusal(res: Response, url: string): Promise<Error> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    if (body.errors?.length) return new ClientError(body.errors);
  } catch {
    // not JSON
  }
  if (res.status === 401) return new ClientError([{ message: `${url} answered HTTP 401`, extensions: { code: 'UNAUTHENTICATED' } }]);
  if (res.status === 404) return new CliError(`${url} answered 404: this API server has no backup endpoint`);
  return new CliError(`${url} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

export const backupVerb: Verb = {
  name: 'backup',
  summary: 'Save a consistent snapshot of the cluster\'s database (online), to FILE or stdout',
  usage: 'backup [FILE]  |  backup > FILE',
  flags: {},
  async run(ctx) {
    const [file, ...more] = ctx.args;
    if (more.length) throw new CliError('kq backup takes at most one file name');
    if (!file && ctx.stdout.isTTY) throw new CliError('refusing to write a database to the terminal: kq backup FILE, or kq backup > FILE');
    const { server, token } = ctx.config();
    const url = `${baseUrl(server)}/admin/backup`;
    let res: Response;
    try {
      res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    } catch (e) {
      throw new ClientError([{ message: `cannot reach ${url}: ${(e as Error).message}` }], 'UNAVAILABLE');
    }
    if (!res.ok || !res.body) throw await refusal(res, url);
    const progress = createProgress();
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        progress.update(`${(bytes / 2 ** 20).toFixed(1)} MiB`);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), count, file ? createWriteStream(file) : process.stdout, { end: Boolean(file) });
    } finally {
      progress.done();
    }
    if (bytes === 0) throw new CliError(`${url} sent an empty backup`);
    if (file) ctx.stderr.write(`backup of ${bytes} bytes written to ${file}\n`);
  },
};
