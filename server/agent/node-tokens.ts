/**
 * Per-node identities (DESIGN §5): with a bootstrap token (RBAC: create nodes/token), the agents
 * process asks the API server for one token per node, so each agent acts as system:node:<name>
 * and the node rules let it write only its own Node, Lease and pods.
 */
import { createKubeqlClient } from '../client/client.js';

/**
 * Tokens asked for in one request, as aliases of one mutation: within the API server's alias limit
 * (30 by default, DESIGN §7 Limits), with room to spare for a server configured lower.
 */
export const NODE_TOKENS_PER_REQUEST = 25;

export async function issueNodeTokens(server: string, bootstrapToken: string | undefined, names: string[], perRequest = NODE_TOKENS_PER_REQUEST): Promise<Map<string, string>> {
  const client = createKubeqlClient({ server, token: bootstrapToken });
  const tokens = new Map<string, string>();
  try {
    for (let i = 0; i < names.length; i += perRequest) {
      const batch = names.slice(i, i + perRequest);
      const fields = batch.map((n, j) => `t${j}: createNodeToken(nodeName: ${JSON.stringify(n)}) { token }`).join('\n');
      const data = await client.request(`mutation {\n${fields}\n}`);
      batch.forEach((n, j) => tokens.set(n, data[`t${j}`].token));
    }
  } finally {
    await client.close();
  }
  return tokens;
}
