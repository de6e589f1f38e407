/**
 * A kubeconfig for kubectl against Kubeql: the REST API over TLS on the API server's port
 * (kubectl sends a bearer token only over TLS), the server's self-signed certificate as the
 * certificate authority, a token user. Written into the data directory (mode 0600), never over
 * a user's ~/.kube/config.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface KubeconfigInput {
  /** https://127.0.0.1:PORT */
  server: string;
  /** The serving certificate, PEM. */
  caCert: string;
  token: string;
  user?: string;
  namespace?: string;
}

/** JSON is YAML: kubectl reads it as a kubeconfig. */
export function kubeconfigText(input: KubeconfigInput): string {
  const user = input.user ?? 'admin';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubeql', cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caCert).toString('base64') } }],
    users: [{ name: user, user: { token: input.token } }],
    contexts: [{ name: 'kubeql', context: { cluster: 'kubeql', user, namespace: input.namespace ?? 'default' } }],
    'current-context': 'kubeql',
    preferences: {},
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes `$dataDir/kubeconfig` and returns its absolute path. */
export function writeKubeconfig(dataDir: string, input: KubeconfigInput): string {
  const file = resolve(join(dataDir, 'kubeconfig'));
  writeFileSync(file, kubeconfigText(input), { mode: 0o600 });
  return file;
}
