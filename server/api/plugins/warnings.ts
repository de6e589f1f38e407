/** Puts the warnings a request collected (unknown fields kept) into the response's `extensions.warnings`. */
import type { Plugin } from 'graphql-yoga';
import type { ApiContext } from '../context.js';

export function warningsPlugin(): Plugin<ApiContext> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as ApiContext;
      return {
        onExecuteDone({ result, setResult }) {
          if (!ctx.warnings?.length || Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, warnings: [...new Set(ctx.warnings)] } });
        },
      };
    },
  };
}
