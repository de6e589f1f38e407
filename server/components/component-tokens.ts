/**
 * What `npm start` hands each component: its own ServiceAccount token (kube-system's
 * kube-controller-manager and kube-scheduler, bound at first start to least-privilege roles),
 * and for the agents the node bootstrapper's token, from which each agent gets a token of its own.
 * Asked for as admin, the way an operator would.
 */
import { createKubeqlClient } from '../client/client.js';
import { createServiceAccountTokens } from '../client/issue-tokens.js';

export interface ComponentTokens {
  controllerManager: string;
  scheduler: string;
  nodeBootstrapper: string;
}

export async function componentTokens(server: string, adminToken: string): Promise<ComponentTokens> {
  const client = createKubeqlClient({ server, token: adminToken });
  try {
    const [controllerManager, scheduler, nodeBootstrapper] = await createServiceAccountTokens(
      client,
      ['kube-controller-manager', 'kube-scheduler', 'node-bootstrapper'].map((name) => ({ namespace: 'kube-system', name })),
    );
    return { controllerManager: controllerManager.token, scheduler: scheduler.token, nodeBootstrapper: nodeBootstrapper.token };
  } finally {
    await client.close();
  }
}
