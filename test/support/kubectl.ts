/**
 * The real kubectl (v1.32) as a child process against a test API server: a kubeconfig of its own
 * (the server's https URL, certificate and a token) and a cache directory of its own, isolated
 * from the developer's ~/.kube. Where kubectl is absent, tests skip with a reason; under CI=true
 * its absence fails them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigText } from '../../server/components/kubeconfig.js';
import type { TestApi } from './api.js';

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

function findKubectl(): boolean {
  const probe = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
  return probe.status === 0;
}

export const kubectlPresent = findKubectl();
if (!kubectlPresent && process.env.CI === 'true') throw new Error(`kubectl is required under CI=true and was not found (${KUBECTL}); install kubectl v1.32`);
/** Why the kubectl tests are skipped, when they are. */
export const kubectlSkipReason = kubectlPresent ? '' : `kubectl not found (${KUBECTL}): install kubectl v1.32 to run the Kubernetes REST API tests`;

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  run(args: string[], options?: { stdin?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<KubectlResult>;
  /** run, failing the test on a non-zero exit; returns stdout. */
  ok(args: string[], options?: { stdin?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<string>;
  /** Starts a long-running kubectl (get -w); `stop` ends it and returns what it printed. */
  start(args: string[]): { output(): string; stop(): Promise<KubectlResult> };
  kubeconfig: string;
  close(): void;
}

/** kubectl as `token`'s identity (the admin token by default) against `api`. */
export function kubectlFor(api: TestApi, token = api.token): Kubectl {
  const dir = mkdtempSync(join(tmpdir(), 'kubeql-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigText({ server: api.server.kubernetesUrl, caCert: api.server.caCert, token }), { mode: 0o600 });
  const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache'), HOME: dir, KUBECTL_INTERACTIVE_DELETE: 'false' };
  const spawnIt = (args: string[], extra: Record<string, string> = {}) => spawn(KUBECTL, args, { env: { ...env, ...extra }, stdio: ['pipe', 'pipe', 'pipe'] });
  const run: Kubectl['run'] = (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawnIt(args, options.env);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(options.stdin ?? '');
    });
  return {
    kubeconfig,
    run,
    async ok(args, options) {
      const result = await run(args, options);
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
      return result.stdout;
    },
    start(args) {
      const child = spawnIt(args);
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.stdin.end();
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      return {
        output: () => out,
        async stop() {
          child.kill('SIGTERM');
          const code = await closed;
          return { code, stdout: out, stderr: err };
        },
      };
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` passes (a functional deadline, not a timing assertion). */
export async function eventually<T>(check: () => Promise<T> | T, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
