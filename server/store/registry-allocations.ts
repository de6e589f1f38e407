/** allocationsOf from the registry of kinds, for the store's maintenance commands (replay, restore) as the API server passes it. */
import type { Allocation, KObject } from '../resources/kind.js';
import { kindByName } from '../resources/registry.js';

export const registryAllocations = (o: KObject): Allocation[] => kindByName(o.kind)?.allocations?.(o) ?? [];
