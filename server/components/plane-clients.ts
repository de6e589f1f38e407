/**
 * The plane's clients as child processes (controller-manager, scheduler, agents), each with its own
 * token, and their token renewal: what `npm start` and `npm run start:ha` both run once their API
 * servers answer. `server` may name several API servers (commas): the clients fail over between them.
 */
import { startChildComponent, type ChildComponent } from './child-component.js';
import { componentTokens, type ComponentTokens } from './component-tokens.js';
import { youngGenerationArgs } from './young-generation.js';
import { clientHeapArgs } from './client-heap.js';
import type { Logger } from '../logging/logger.js';

export const CLIENTS = ['controller-manager', 'scheduler', 'agents'] as const;
export type ClientName = (typeof CLIENTS)[number];

export interface PlaneClientsOptions {
  /** The API server, or several of one log separated by commas. */
  server: string;
  adminToken: string;
  nodes: string;
  /** The agents' debug endpoint (GET /routes). */
  debugPort: string;
  /** True once the plane is stopping: exits are then expected. */
  stopping(): boolean;
  log: Logger;
}

export interface PlaneClients {
  /** The running clients (their entries change when a client is restarted with new tokens). */
  readonly components: ChildComponent[];
  /** New tokens for every client, each restarted on them in turn. */
  rotateTokens(): Promise<void>;
  stop(): Promise<void>;
}

/** Issues the clients' tokens (as admin) and starts them; rejects when the tokens cannot be issued. */
export async function startPlaneClients(options: PlaneClientsOptions): Promise<PlaneClients> {
  const { server, log } = options;
  const clientNodeArgs = [...clientHeapArgs(), ...youngGenerationArgs()];
  const tokens = await componentTokens(server, options.adminToken);
  // A restarted client is not an exit worth reporting.
  const restarting = new Set<ChildComponent>();
  const start = (name: ClientName, t: ComponentTokens): ChildComponent => {
    const [entry, args, token] =
      name === 'controller-manager' ? ['controllers/main', [], t.controllerManager]
      : name === 'scheduler' ? ['scheduler/main', [], t.scheduler]
      : ['agent/main', ['--nodes', options.nodes, '--zones', '3', '--debug-port', options.debugPort, '--node-tokens'], t.nodeBootstrapper];
    // Tokens go in the environment, not on a command line every user of the machine can read.
    const c = startChildComponent(name, entry, args, { KUBEQL_SERVER: server, KUBEQL_TOKEN: token }, clientNodeArgs);
    void c.exited.then((code) => !options.stopping() && !restarting.has(c) && log.error({ component: name, code }, `${name} exited (code ${code})`));
    return c;
  };
  const components = CLIENTS.map((name) => start(name, tokens));
  return {
    components,
    async rotateTokens() {
      const fresh = await componentTokens(server, options.adminToken);
      for (const name of CLIENTS) {
        if (options.stopping()) return;
        const i = components.findIndex((c) => c.name === name);
        restarting.add(components[i]);
        await components[i].stop();
        if (options.stopping()) return;
        components[i] = start(name, fresh);
      }
    },
    async stop() {
      await Promise.all(components.map((c) => c.stop()));
    },
  };
}

/**
 * Renews the clients' tokens every KUBEQL_TOKEN_ROTATION_SECONDS (24 h by default; every issued
 * token lives 48 h at most). Answers an error message for a bad setting, else undefined.
 */
export function scheduleTokenRotation(clients: () => PlaneClients | undefined, stopping: () => boolean, log: Logger): string | undefined {
  const rotationSeconds = Number(process.env.KUBEQL_TOKEN_ROTATION_SECONDS ?? 24 * 3600);
  if (!(rotationSeconds >= 1)) return `KUBEQL_TOKEN_ROTATION_SECONDS must be a number of seconds, at least 1, not ${process.env.KUBEQL_TOKEN_ROTATION_SECONDS}`;
  // One renewal at a time: on a loaded machine restarting three clients can take longer than a
  // short interval, and two renewals at once would each restart the same client.
  let renewing = false;
  setInterval(() => {
    const current = clients();
    if (stopping() || !current || renewing) return;
    renewing = true;
    current
      .rotateTokens()
      .then(
        () => !stopping() && log.info('the components restarted with new tokens'),
        (error: unknown) => log.error(`could not renew the components' tokens: ${(error as Error).message}; trying again at the next interval`),
      )
      .finally(() => (renewing = false));
  }, rotationSeconds * 1000).unref();
  return undefined;
}
