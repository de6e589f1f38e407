/**
 * Per-node identities (DESIGN §5): with a bootstrap token (RBAC: create nodes/token), the agents
 * process asks the API server for one token per node, so each agent acts as system:node:<name>
 * and the node rules let it write only its own Node, Lease and pods.
 */
import { createKubeqlClient } from '../client/client.js';

export async function issueNodeTokens(server: string, bootstrapToken: string | undefined, names: string[]): Promise<Map<string, string>> {
  const client = createKubeqlClient({ server, token: bootstrapToken });
  const tokens = new Map<string, string>();
  try {
    for (let i = 0; i < names.length; i += 50) {
      const batch = names.slice(i, i + 50);
      const fields = batch.map((n, j) => `t${j}: createNodeToken(nodeName: ${JSON.stringify(n)}) { token }`).join('\n');
      const data = await client.request(`mutation {\n${fields}\n}`);
      batch.forEach((n, j) => tokens.set(n, data[`t${j}`].token));
    }
  } finally {
    await client.close();
  }
  return tokens;
}
