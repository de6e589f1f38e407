/** Moved to server/logging/logger.ts; this re-export keeps older import paths compiling until they are updated. */
export * from '../logging/logger.js';
