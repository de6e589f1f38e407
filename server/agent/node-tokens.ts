/**
 * Per-node identities (DESIGN §5): with a bootstrap token (RBAC: create nodes/token), the agents
 * process asks the API server for one token per node, so each agent acts as system:node:<name>
 * and the node rules let it write only its own Node, Lease and pods.
 */
import { createKubeqlClient } from '../client/client.js';
import { createNodeTokens, TOKENS_PER_REQUEST } from '../client/issue-tokens.js';

/** Tokens asked for in one request (issue-tokens.ts): within the API server's alias limit, with room to spare. */
export const NODE_TOKENS_PER_REQUEST = TOKENS_PER_REQUEST;

export async function issueNodeTokens(server: string, bootstrapToken: string | undefined, names: string[], perRequest = NODE_TOKENS_PER_REQUEST): Promise<Map<string, string>> {
  const client = createKubeqlClient({ server, token: bootstrapToken });
  const tokens = new Map<string, string>();
  try {
    const issued = await createNodeTokens(client, names, { perRequest });
    names.forEach((n, i) => tokens.set(n, issued[i].token));
  } finally {
    await client.close();
  }
  return tokens;
}
