/**
 * Limits on what one request may ask (DESIGN §7 Limits): GraphQL Armor's depth, aliases, tokens
 * and directives rules, as envelop plugins so they hold on the WebSocket path too, and the cost
 * limit (query-cost.ts), each answering TOO_COMPLEX; the request body size (PAYLOAD_TOO_LARGE,
 * HTTP 413); CSRF prevention.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { queryCostPlugin } from './query-cost.js';

export interface Limits {
  depth: number;
  aliases: number;
  tokens: number;
  cost: number;
  bodyBytes: number;
  subscriptionsPerConnection: number;
  /** Requests per second per identity, and the burst allowed above it. */
  requestsPerSecond: number;
  burst: number;
}

export const DEFAULT_LIMITS: Limits = {
  depth: 12,
  aliases: 30,
  tokens: 5000,
  cost: 5000,
  bodyBytes: 3 * 1024 * 1024,
  subscriptionsPerConnection: 100,
  requestsPerSecond: 2000,
  burst: 4000,
};

const tooComplex = (_: unknown, error: GraphQLError) => {
  (error.extensions as Record<string, unknown>).code = 'TOO_COMPLEX';
};

function bodySizePlugin(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get('content-length') ?? 0);
      if (length <= maxBytes) return;
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: `request body of ${length} bytes is larger than the limit of ${maxBytes}`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }), {
          status: 413,
          headers: { 'content-type': 'application/json' },
        }),
      );
    },
  };
}

export function limitPlugins(limits: Limits): Plugin[] {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: limits.depth, onReject: [tooComplex] },
    maxAliases: { n: limits.aliases, onReject: [tooComplex] },
    maxTokens: { n: limits.tokens, onReject: [tooComplex] },
    // The cost limit is query-cost.ts: it counts stored objects and reads `first` from variables too.
    costLimit: { enabled: false },
    maxDirectives: { n: 50, onReject: [tooComplex] },
  });
  return [bodySizePlugin(limits.bodyBytes), useCSRFPrevention(), armor as Plugin, queryCostPlugin(limits.cost)];
}
