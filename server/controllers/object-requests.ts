/** Moved to framework/object-requests.ts; this re-export keeps older import paths compiling. */
export * from './framework/object-requests.js';
