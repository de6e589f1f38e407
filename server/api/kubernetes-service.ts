/**
 * The `kubernetes` Service in `default`, as kube-apiserver keeps it: ClusterIP the first address of
 * the service range, port 443 (https), no selector. Kubernetes' endpoint reconciler also writes its
 * Endpoints with the API server's address; Kubeql's listens on loopback, which Endpoints may not
 * hold (validation refuses 127.0.0.0/8, as Kubernetes does), so there are none.
 */
import type { ServiceSpec } from '../resources/objects.js';
import { kindByName } from '../resources/registry.js';
import { prepareObject } from '../resources/validate-object.js';
import type { WriteTx } from '../store/types.js';
import { createInTx } from './verbs/create.js';
import type { AllocationRanges, VerbContext } from './verbs/verb-context.js';

export const KUBERNETES_SERVICE = 'kubernetes';
const LABELS = { component: 'apiserver', provider: 'kubernetes' };

/** The first usable address of a CIDR (10.96.0.0/16 → 10.96.0.1). */
function firstAddress(cidr: string): string {
  const [addr, bits] = cidr.split('/');
  const n = addr.split('.').reduce((acc, b) => acc * 256 + Number(b), 0);
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(n / size) * size + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(first / 2 ** s) % 256).join('.');
}

/** Creates the Service when missing (inside bootstrap's transaction). */
export function ensureKubernetesService(tx: WriteTx, ctx: VerbContext, ranges: AllocationRanges): void {
  if (tx.get('Service', 'default', KUBERNETES_SERVICE)) return;
  const kind = kindByName('Service')!;
  const spec: ServiceSpec = { type: 'ClusterIP', clusterIP: firstAddress(ranges.serviceClusterIpRange), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }] };
  // Taken already (an operator's Service): any free address will do.
  if (tx.isAllocated('service-cluster-ip', spec.clusterIP!)) delete spec.clusterIP;
  const manifest = { metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels: LABELS }, spec };
  createInTx(tx, ctx, kind, prepareObject(kind, manifest, 'bootstrap'), { verb: 'create', path: 'bootstrap' });
}
