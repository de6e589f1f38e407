/** The per-request context every resolver gets. */
import type { Store } from '../store/types.js';
import type { RelationLoaders } from './schema/modules/relation-loaders.js';
import type { VerbContext } from './verbs/verb-context.js';
import type { WatchEngine } from './watch/watch-engine.js';
import type { Guard } from './auth/guard.js';
import type { Identity } from './auth/identity.js';
import type { IssueOptions, IssuedCredential } from './auth/authenticator.js';

export interface ApiContext extends VerbContext {
  store: Store;
  watch: WatchEngine;
  /** Who the request acts as, and its authorization checks. */
  guard: Guard;
  /** Issues bearer tokens (the tokens module), with lifetimes at most maxExpirationSeconds. */
  tokens: { issue(identity: Identity, options: IssueOptions): IssuedCredential; maxExpirationSeconds: number };
  /** The relations' batched loads of this request, created on first use. */
  relationLoaders?: RelationLoaders;
}
