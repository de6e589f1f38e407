/** The per-request context every resolver gets. */
import type { KindDef } from '../resources/kind.js';
import type { Store } from '../store/types.js';
import type { AllocationRanges, VerbContext } from './verbs/verb-context.js';

export interface ApiContext extends VerbContext {
  store: Store;
}

export interface ServerParts {
  store: Store;
  ranges: AllocationRanges;
  kinds: readonly KindDef[];
}
