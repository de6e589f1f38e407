/**
 * Limits on what one request may ask (DESIGN §7 Limits): GraphQL Armor's depth, aliases, tokens,
 * cost and directives rules, as envelop plugins so they hold on the WebSocket path too, each
 * answering TOO_COMPLEX; the request body size (PAYLOAD_TOO_LARGE, HTTP 413); CSRF prevention.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import { MAX_OBJECT_DEPTH, pathTooDeep } from '../../resources/object-bounds.js';
import type { Plugin } from 'graphql-yoga';

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

/** Variables may nest a little deeper than an object (they wrap one): past this they are refused before anything walks them. */
export const MAX_VARIABLES_DEPTH = MAX_OBJECT_DEPTH + 4;

/**
 * Variables nested deeper than MAX_VARIABLES_DEPTH are BAD_USER_INPUT, on HTTP and WebSocket alike
 * (both build a context from the request's params), before coercion or a resolver recurses into them.
 */
function variablesDepthPlugin(): Plugin {
  return {
    onContextBuilding({ context }) {
      const variables = (context as { params?: { variables?: unknown } }).params?.variables;
      const path = pathTooDeep(variables, MAX_VARIABLES_DEPTH, 'variables');
      if (path === undefined) return;
      const field = path.length > 120 ? `${path.slice(0, 120)}…` : path;
      throw new GraphQLError(`${field}: variables nest deeper than ${MAX_VARIABLES_DEPTH} levels`, { extensions: { code: 'BAD_USER_INPUT', field } });
    },
  };
}

export function limitPlugins(limits: Limits): Plugin[] {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: limits.depth, onReject: [tooComplex] },
    maxAliases: { n: limits.aliases, onReject: [tooComplex] },
    maxTokens: { n: limits.tokens, onReject: [tooComplex] },
    // Cost counts objects, each times the page size it sits in (first: N), not scalars or depth:
    // listing 500 pods with their nodes costs about 3,500, a page of 10,000 bare pods 30,000.
    costLimit: { maxCost: limits.cost, objectCost: 1, scalarCost: 0, depthCostFactor: 1, onReject: [tooComplex] },
    maxDirectives: { n: 50, onReject: [tooComplex] },
  });
  return [bodySizePlugin(limits.bodyBytes), useCSRFPrevention(), armor as Plugin, variablesDepthPlugin()];
}
