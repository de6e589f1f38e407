import { mibSetting } from './mib-setting.js';

/**
 * The clients' V8 old space, in MiB (KUBEQL_CLIENT_HEAP_MB; 0 leaves V8's default). V8 lets a heap
 * whose limit is 2 GiB or more grow to 4 times what survived its last full collection before the
 * next one, and less the lower the limit: on this 24 GiB machine the default limit is about 4 GiB,
 * so a busy client held up to four times its live objects. At 1,000 nodes and 30,000 pods the
 * agents used 473 MiB of heap for about 124 MiB of live objects. With a limit just under 2 GiB the
 * factor is about 2, and 2,000 MiB is still several times what each client holds at 5,000 nodes
 * and 150,000 pods (the API server keeps V8's default).
 */
const CLIENT_HEAP_MB = 2000;

/** More than any machine this runs on gives a client: a larger number is a mistake, not a tuning. */
const MAX_MB = 1_048_576;

/** The node arguments (`--max-old-space-size=…`) for the controller-manager, the scheduler and the agents; throws on a malformed setting. */
export function clientHeapArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const mb = mibSetting(env, 'KUBEQL_CLIENT_HEAP_MB', CLIENT_HEAP_MB, MAX_MB);
  return mb > 0 ? [`--max-old-space-size=${mb}`] : [];
}
