/** One REST request on a resource, as the handlers see it: who asks, what it addresses, its query and body. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindDef } from '../../resources/kind.js';
import type { Store } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import type { WatchEngine } from '../watch/watch-engine.js';
import type { ApiResource } from './api-resources.js';
import type { Query } from './query.js';
import type { ErrorSubject } from './status.js';

export interface RestRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  query: Query;
  ctx: ApiContext;
  store: Store;
  watch: WatchEngine;
  resource: ApiResource;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The request body, read within the body limit (413 past it). */
  body(): Promise<Buffer>;
  /** What errors of this request name in their details. */
  subject: ErrorSubject;
}

/** A request on a stored kind. */
export type KindRequest = RestRequest & { kind: KindDef };
