/**
 * What `npm start` hands each component: its own ServiceAccount token (kube-system's
 * kube-controller-manager and kube-scheduler, bound at first start to least-privilege roles),
 * and for the agents the node bootstrapper's token, from which each agent gets a token of its own.
 * Asked for as admin, the way an operator would.
 */
import { createKubeqlClient } from '../client/client.js';

export interface ComponentTokens {
  controllerManager: string;
  scheduler: string;
  nodeBootstrapper: string;
}

export async function componentTokens(server: string, adminToken: string): Promise<ComponentTokens> {
  const client = createKubeqlClient({ server, token: adminToken });
  try {
    const data = await client.request(`mutation {
      cm: createServiceAccountToken(namespace: "kube-system", name: "kube-controller-manager") { token }
      sched: createServiceAccountToken(namespace: "kube-system", name: "kube-scheduler") { token }
      boot: createServiceAccountToken(namespace: "kube-system", name: "node-bootstrapper") { token }
    }`);
    return { controllerManager: data.cm.token, scheduler: data.sched.token, nodeBootstrapper: data.boot.token };
  } finally {
    await client.close();
  }
}
