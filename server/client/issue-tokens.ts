/**
 * Tokens issued by the API server (DESIGN §5): a ServiceAccount's (`createServiceAccountToken`,
 * RBAC create serviceaccounts/token) and a node agent's (`createNodeToken`, RBAC create
 * nodes/token). Several are asked for in one request, as aliases of one mutation, within the API's
 * alias limit (30 by default, DESIGN §7 Limits).
 */
import type { KubeqlClient } from './client.js';
import { objectClientOf, type ObjectClient } from './object-client.js';

export interface IssuedToken {
  token: string;
  id: string;
  identity: string;
  groups: string[];
  expiresAt: string;
}

export interface TokenOptions {
  /** At least 600; default and maximum: the server's (48 h unless configured). */
  expirationSeconds?: number;
  /** Tokens per request (default 25, room to spare below the alias limit). */
  perRequest?: number;
}

export const TOKENS_PER_REQUEST = 25;
const SELECTION = '{ token id identity groups expiresAt }';

/**
 * One mutation of aliased fields `t0`, `t1`, ... of `field`, each with its own variables
 * (`$name_0`, `$name_1`, ...; never spliced into the document), answered in order.
 */
async function issue(
  client: KubeqlClient | ObjectClient,
  field: string,
  args: Record<string, string>,
  calls: Array<Record<string, unknown>>,
  options: TokenOptions,
): Promise<IssuedToken[]> {
  const graphql = objectClientOf(client).graphql;
  const perRequest = options.perRequest ?? TOKENS_PER_REQUEST;
  const tokens: IssuedToken[] = [];
  for (let start = 0; start < calls.length; start += perRequest) {
    const batch = calls.slice(start, start + perRequest);
    const variables: Record<string, unknown> = { expirationSeconds: options.expirationSeconds };
    const declarations = ['$expirationSeconds: Int'];
    const fields = batch.map((call, j) => {
      for (const [arg, type] of Object.entries(args)) {
        declarations.push(`$${arg}_${j}: ${type}`);
        variables[`${arg}_${j}`] = call[arg];
      }
      return `t${j}: ${field}(${Object.keys(args).map((arg) => `${arg}: $${arg}_${j}`).join(', ')}, expirationSeconds: $expirationSeconds) ${SELECTION}`;
    });
    const data = await graphql.request<Record<string, IssuedToken>>(`mutation(${declarations.join(', ')}) {\n${fields.join('\n')}\n}`, variables);
    batch.forEach((_, j) => tokens.push(data[`t${j}`]));
  }
  return tokens;
}

/** A token for each ServiceAccount, in order. */
export function createServiceAccountTokens(client: KubeqlClient | ObjectClient, accounts: Array<{ namespace: string; name: string }>, options: TokenOptions = {}): Promise<IssuedToken[]> {
  return issue(client, 'createServiceAccountToken', { namespace: 'String!', name: 'String!' }, accounts, options);
}

/** A token for each node agent (identity system:node:<name>), in order. */
export function createNodeTokens(client: KubeqlClient | ObjectClient, nodeNames: string[], options: TokenOptions = {}): Promise<IssuedToken[]> {
  return issue(client, 'createNodeToken', { nodeName: 'String!' }, nodeNames.map((nodeName) => ({ nodeName })), options);
}
