/** `npm run controller-manager -- --server URL --token T`: every controller, as one process. */
import { componentArgs } from '../components/client-config.js';
import { controllers } from './all.js';
import { startControllerManager } from './manager.js';

const args = componentArgs(process.argv.slice(2), {
  'node-monitor-grace-period-ms': { type: 'string' },
  'pod-eviction-timeout-ms': { type: 'string' },
});
const ms = (flag: string) => (args.flags[flag] ? Number(args.flags[flag]) : undefined);
const settings = Object.fromEntries(
  Object.entries({ nodeMonitorGracePeriodMs: ms('node-monitor-grace-period-ms'), podEvictionTimeoutMs: ms('pod-eviction-timeout-ms') }).filter(([, v]) => v !== undefined),
);
const manager = startControllerManager({ server: args.server, token: args.token }, controllers, settings);
console.log(`controller-manager: ${manager.controllers.map((c) => c.name).join(', ') || 'no controllers'} against ${args.server}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void manager.stop().then(() => process.exit(0)));
