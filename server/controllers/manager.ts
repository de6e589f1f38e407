/** Moved to framework/manager.ts; this re-export keeps older import paths compiling. */
export * from './framework/manager.js';
