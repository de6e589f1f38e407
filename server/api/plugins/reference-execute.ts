/**
 * Queries and mutations run by graphql-js's own `execute` (the reference executor), not yoga's
 * default (@graphql-tools/executor, whose additions we do not use: @defer and @stream). Before
 * executing, that one copies every variable again, walking every field its input type declares
 * (a PodInput's spec, containers and their resources: about 2% of a createPod's CPU in the write
 * benchmark's profile), after graphql-js's coercion has already built a fresh, validated value.
 * Subscriptions keep yoga's (onSubscribe is another hook).
 */
import { execute } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function referenceExecutePlugin(): Plugin {
  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn(execute);
    },
  };
}
