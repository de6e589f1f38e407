/** The score plugins and their weights; a node's score is the weighted sum. */
import { leastAllocated } from './least-allocated.js';
import { ownerSpread } from './owner-spread.js';
import type { Score } from './score.js';

export const scores: readonly Score[] = [leastAllocated, ownerSpread];
