/** allocationsOf from the registry of kinds, as the API server and the store's maintenance commands (replay, restore) pass it. */
import type { Allocation, KObject } from '../resources/kind.js';
import { kindByName, kinds } from '../resources/registry.js';
import type { AllocationsOf } from './records.js';

export const registryAllocations: AllocationsOf = Object.assign((o: KObject): Allocation[] => kindByName(o.kind)?.allocations?.(o) ?? [], {
  kinds: kinds.filter((k) => k.allocations).map((k) => k.kind),
});
