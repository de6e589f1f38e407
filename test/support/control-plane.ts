/** A real API server and a real controller-manager process against it, with helpers that play the other clients (kubelet, user). */
import { startTestApi, type TestApi } from './api.js';
import { startComponent, type Component } from './processes.js';

export interface ControlPlane {
  api: TestApi;
  controllers: Component;
  close(): Promise<void>;
}

/** Starts both; `flags` go to the controller-manager (short timeouts for tests). */
export async function startControlPlane(flags: string[] = []): Promise<ControlPlane> {
  const api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  const controllers = startComponent('controllers/main.ts', ['--server', api.server.url, '--token', api.server.adminToken, ...flags], { LOG_LEVEL: 'debug' });
  return {
    api,
    controllers,
    async close() {
      await controllers.stop();
      await api.close();
    },
  };
}

/** The whole stored object (manifest) of `kind`'s get field, or null. */
export async function manifest(api: TestApi, getField: string, namespace: string | undefined, name: string): Promise<any> {
  const args = namespace === undefined ? `name: ${JSON.stringify(name)}` : `namespace: ${JSON.stringify(namespace)}, name: ${JSON.stringify(name)}`;
  const data = await api.ok(`{ o: ${getField}(${args}) { manifest } }`);
  return data.o?.manifest ?? null;
}

/** The manifests of a list field in a namespace. */
export async function manifests(api: TestApi, listField: string, namespace?: string, labelSelector?: string): Promise<any[]> {
  const data = await api.ok(`query($ns: String, $ls: String) { l: ${listField}(namespace: $ns, labelSelector: $ls) { edges { node { manifest } } } }`, { ns: namespace, ls: labelSelector });
  return data.l.edges.map((e: any) => e.node.manifest);
}

export async function createNamespace(api: TestApi, name: string): Promise<void> {
  await api.ok(`mutation($n: String!) { createNamespace(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: name });
}

/** Plays the kubelet: the pod is Running with `ip`, Ready or not. */
export async function setPodStatus(api: TestApi, namespace: string, name: string, status: { ip?: string; ready?: boolean; phase?: string }): Promise<void> {
  const phase = status.phase ?? 'Running';
  await api.ok(`mutation($ns: String!, $n: String!, $s: JSON!) { updatePodStatus(namespace: $ns, name: $n, status: $s) { metadata { name } } }`, {
    ns: namespace,
    n: name,
    s: {
      phase,
      ...(status.ip ? { podIP: status.ip, podIPs: [{ ip: status.ip }] } : {}),
      conditions: [{ type: 'Ready', status: status.ready ? 'True' : 'False' }],
    },
  });
}
