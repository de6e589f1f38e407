/**
 * V8's young generation for the plane's processes (API server, controller-manager, scheduler,
 * agents): semi-spaces of up to KUBEQL_SEMI_SPACE_MB MiB each (default 64; 0 leaves V8's default,
 * 16 on this Node). Every request, watch frame and informer update allocates objects that die
 * young; with V8's default a scavenge ran every 16 MiB of them and copied whatever was still in
 * flight, and the collector took 9-14% of each process's CPU in a 1,000-node rollout. At 64 MiB
 * it took 5.5-8.7%, and the rollout (1,000 nodes, 30,000 pods) finished in 51.1 and 55.2 s
 * against 61.4 and 63.0 s (32 MiB: 55.6 and 56.1 s), for 20-90 MiB more peak RSS a process.
 */
import { mibSetting } from './mib-setting.js';

const DEFAULT_MB = 64;
/** V8 takes semi-spaces in powers of two up to this; more is a mistake, not a tuning. */
const MAX_MB = 1024;

/** The node arguments (`--max-semi-space-size=…`) for a plane process; throws on a malformed setting. */
export function youngGenerationArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const mb = mibSetting(env, 'KUBEQL_SEMI_SPACE_MB', DEFAULT_MB, MAX_MB);
  return mb > 0 ? [`--max-semi-space-size=${mb}`] : [];
}
