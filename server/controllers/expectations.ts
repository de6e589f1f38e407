/** Moved to framework/expectations.ts; this re-export keeps older import paths compiling. */
export * from './framework/expectations.js';
