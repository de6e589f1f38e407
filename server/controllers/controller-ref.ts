/** Moved to framework/controller-ref.ts; this re-export keeps older import paths compiling. */
export * from './framework/controller-ref.js';
