/**
 * `?watch=1`: a stream of `{"type":…,"object":…}` lines served by the same watch engine as the
 * GraphQL subscription (server/api/watch). `resourceVersion` N resumes after N with no gap and no
 * duplicate; unset or `0` starts with the current state as ADDED events. BOOKMARKs (an object with
 * only metadata.resourceVersion) only with `allowWatchBookmarks`. A resourceVersion below the
 * compaction floor answers 410 Gone before the stream starts, or an ERROR event with a 410 Status
 * when the watch falls below it later. `timeoutSeconds` ends the stream cleanly. A slow reader
 * holds the engine back (the socket's buffer is the bound); one too far behind is ended, and
 * resumes from the last resourceVersion it saw, as Kubernetes clients do.
 */
import type { KObject } from '../../resources/kind.js';
import type { KubeqlError } from '../../errors.js';
import type { WatchPayload } from '../watch/transition.js';
import type { WatchHandle } from '../watch/watch-engine.js';
import { revisionParam, selection, tooLarge, whenReachedOrTooLarge, type ListSelection } from './read.js';
import type { KindRequest } from './rest-request.js';
import { badRequest, errorAnswer } from './status.js';
import { table, wantsTable } from './table.js';

/** Kubernetes' default watch length is 30 to 60 minutes; a client may ask for less, never for more. */
export const MAX_WATCH_SECONDS = 3600;
const DEFAULT_WATCH_SECONDS = 1800;

export function watchObjects(r: KindRequest): void | Promise<void> {
  const sel = selection(r, 'watch');
  const bookmarks = r.query.bool('allowWatchBookmarks');
  const timeout = r.query.int('timeoutSeconds', MAX_WATCH_SECONDS) ?? DEFAULT_WATCH_SECONDS;
  if (r.query.bool('sendInitialEvents')) throw badRequest('sendInitialEvents is not supported: list, then watch from the list\'s resourceVersion');
  const rv = revisionParam(r.query.string('resourceVersion'));
  return whenReachedOrTooLarge(r, rv, () => stream(r, sel, rv, bookmarks, timeout));
}

function stream(r: KindRequest, sel: ListSelection, rv: number | undefined, bookmarks: boolean, timeout: number): void {
  const asTable = wantsTable(r.req.headers.accept);
  const head = r.store.head();
  if (rv !== undefined && rv > head) throw tooLarge(rv, head);
  // Throws before anything is written: BAD_USER_INPUT (too new) or EXPIRED (compacted) answer a Status.
  const stream = r.watch.open({
    kind: r.kind.kind,
    namespace: sel.namespace,
    labelSelector: r.query.string('labelSelector'),
    fieldSelector: r.query.string('fieldSelector'),
    namespaces: sel.namespaces,
    fromRevision: rv === 0 ? undefined : rv,
  });

  const { res, req } = r;
  res.writeHead(200, {
    'content-type': asTable ? `application/json;as=Table;v=${asTable};g=meta.k8s.io` : 'application/json',
    'cache-control': 'no-cache, private',
    'transfer-encoding': 'chunked',
    'x-content-type-options': 'nosniff',
  });
  res.flushHeaders();

  const encode = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;
  const objectOf = (payload: WatchPayload): unknown => {
    const object = payload.object as KObject;
    if (!asTable) return object;
    return table(r.kind, [object], { include: 'Metadata', version: asTable });
  };

  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  let handle: WatchHandle | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    handle?.stop();
    res.end();
  };
  handle = stream.start({
    push(payload) {
      if (finished) return true;
      if (payload.type === 'BOOKMARK') {
        if (!bookmarks || asTable) return true;
        return res.write(encode('BOOKMARK', { kind: r.kind.kind, apiVersion: r.kind.apiVersion, metadata: { resourceVersion: String(payload.revision) } }));
      }
      return res.write(encode(payload.type, objectOf(payload)));
    },
    end(error: KubeqlError) {
      if (finished) return;
      // Compacted under the watcher: an ERROR event with the 410 Status; too slow: the stream ends and the client resumes.
      if (error.code === 'EXPIRED') res.write(encode('ERROR', errorAnswer(error).status));
      finish();
    },
  });
  res.on('drain', () => !finished && handle?.resume());
  timer = setTimeout(finish, timeout * 1000);
  timer.unref();
  req.on('close', finish);
  res.on('close', finish);
}
