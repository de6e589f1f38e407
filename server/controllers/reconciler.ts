/** Moved to framework/reconciler.ts; this re-export keeps older import paths compiling. */
export * from './framework/reconciler.js';
