/**
 * An informer, as client-go's: lists a kind (all pages at the first page's revision), then watches
 * from the list's revision, keeping a local cache; after a dropped connection it resumes from the
 * last revision it saw, without relisting; on EXPIRED it relists and emits the difference. Changes
 * come out as an RxJS stream; `synced$` turns true after the first list.
 */
import { BehaviorSubject, Subject, firstValueFrom, filter, type Observable, type Subscription } from 'rxjs';
import { createLogger } from '../logging/logger.js';
import type { KObject } from '../resources/kind.js';
import { kindByName } from '../resources/registry.js';
import type { KubeqlClient } from './client.js';
import { ClientError } from './client-error.js';
import { objectClientOf, type ObjectClient } from './object-client.js';
import type { KindName, ObjectOf } from '../resources/objects.js';
import { ObjectCache, keyOf } from './object-cache.js';
import { internStrings } from './intern-strings.js';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * client-go's SetTransform: each object as listed or watched goes through this before the cache
   * and the stream see it, to drop the fields the informer's users never read (status, large
   * annotations, whole bodies where metadata is enough). It must not modify its argument and must
   * keep `metadata.namespace`, `name`, `uid` and `resourceVersion`. Without it objects stay whole.
   */
  transform?: (object: KObject) => KObject;
}

export interface InformerEvent<T extends KObject = KObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
  /** The cached version before this change (MODIFIED, DELETED). */
  old?: T;
}

/** An informer of objects typed `T` (`Informer<Pod>`, from `createInformer(client, 'Pod')`). */
export interface Informer<T extends KObject = KObject> {
  readonly kind: string;
  readonly cache: ObjectCache<T>;
  /** Every change, after the cache has it. */
  readonly events$: Observable<InformerEvent<T>>;
  readonly synced$: BehaviorSubject<boolean>;
  /** The last revision the informer has seen (list revision, event or bookmark). */
  revision(): number;
  /** How many times it listed (1 after the first sync; more after EXPIRED). */
  listCount(): number;
  start(): void;
  stop(): void;
  waitForSync(): Promise<void>;
}

// client-go pages by 500; the API's default cost limit (5,000) prices each listed object at 1.
const PAGE = 500;
const log = createLogger('informer');
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

export function createInformer<K extends KindName>(client: KubeqlClient | ObjectClient, kindName: K, options: InformerOptions = {}): Informer<ObjectOf<K>> {
  type T = ObjectOf<K>;
  const kind = kindByName(kindName);
  if (!kind) throw new Error(`unknown kind ${kindName}`);
  const objects = objectClientOf(client);
  const cache = new ObjectCache<T>();
  const events$ = new Subject<InformerEvent<T>>();
  const synced$ = new BehaviorSubject(false);
  let revision = 0;
  let lists = 0;
  let running = false;
  let watching: Subscription | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const selectors = { namespace: options.namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
  // For the debug line on each list: `informer Pod listed at revision 7`, selectors in brackets when set.
  const shown = Object.entries(selectors).filter(([, v]) => v);
  const describe = `${kind.kind}${shown.length ? ` [${shown.map(([k, v]) => `${k}=${v}`).join(' ')}]` : ''}`;

  const transform = options.transform;
  // Cached objects share their repeated strings (intern-strings.ts), transformed or not.
  const prepare = (object: T): T => internStrings(transform ? (transform(object) as T) : object);

  const apply = (type: InformerEvent['type'], object: T) => {
    if (type === 'DELETED') {
      const old = cache.remove(object);
      events$.next({ type, object, old });
    } else {
      const old = cache.put(object);
      events$.next({ type: old ? 'MODIFIED' : 'ADDED', object, old });
    }
  };

  async function list(): Promise<void> {
    const { items, revision: at } = await objects.list(kindName, { ...selectors, pageSize: PAGE });
    // Replace the cache with the list, emitting only what changed (a relist after EXPIRED).
    const seen = new Set<string>();
    for (const listed of items) {
      const o = prepare(listed);
      seen.add(keyOf(o));
      const old = cache.getByKey(keyOf(o));
      if (!old || old.metadata.resourceVersion !== o.metadata.resourceVersion) apply('ADDED', o);
    }
    for (const key of cache.keys()) if (!seen.has(key)) apply('DELETED', cache.getByKey(key)!);
    revision = at;
    lists++;
    log.debug({ kind: kindName, ...selectors, revision: at }, `informer ${describe} listed at revision ${at}`);
    if (!synced$.value) synced$.next(true);
  }

  function watch(): void {
    watching = objects.watch(kindName, { ...selectors, fromRevision: revision }).subscribe({
      next: (e) => {
        failures = 0;
        if (e.type !== 'BOOKMARK') apply(e.type, prepare(e.object));
        revision = e.revision;
      },
      error: (err: unknown) => {
        watching = undefined;
        const expired = err instanceof ClientError && err.code === 'EXPIRED';
        retry(expired);
      },
      complete: () => {
        watching = undefined;
        retry(false);
      },
    });
  }

  function retry(relist: boolean): void {
    if (!running) return;
    // Jittered (half to all of the backoff): many informers dropped at once (a server restart, the
    // node agents' thousands of watches) come back spread out, not as one storm of connects.
    const backoff = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures++);
    const delay = backoff / 2 + (Math.random() * backoff) / 2;
    retryTimer = setTimeout(() => void run(relist), relist ? 0 : delay);
  }

  async function run(relist: boolean): Promise<void> {
    if (!running) return;
    try {
      if (relist || lists === 0) await list();
    } catch (err) {
      log.debug({ kind: kindName, ...selectors, err }, `informer ${describe} list failed; retrying`);
      return retry(relist || lists === 0);
    }
    if (running) watch();
  }

  return {
    kind: kind.kind,
    cache,
    events$,
    synced$,
    revision: () => revision,
    listCount: () => lists,
    start() {
      if (running) return;
      running = true;
      void run(true);
    },
    stop() {
      running = false;
      clearTimeout(retryTimer);
      watching?.unsubscribe();
      watching = undefined;
    },
    waitForSync: () => firstValueFrom(synced$.pipe(filter(Boolean))).then(() => undefined),
  };
}
