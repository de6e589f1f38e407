import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, manifest, setPodStatus, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { eventually } from '../support/processes.js';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
  await createNamespace(cp.api, 'ep');
});
afterAll(() => cp?.close());

const NS = 'ep';
const CREATE_POD = `mutation($i: PodInput!) { createPod(input: $i) { metadata { uid } } }`;
const CREATE_SERVICE = `mutation($i: ServiceInput!) { createService(input: $i) { metadata { uid } } }`;

async function pod(name: string, labels: Record<string, string>, ports: Array<{ name?: string; containerPort: number }> = []): Promise<string> {
  const data = await cp.api.ok(CREATE_POD, { i: { metadata: { name, namespace: NS, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.25', ports }] } } });
  return data.createPod.metadata.uid;
}

const endpointsEvents = () => (cp.api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Endpoints' AND namespace = ? AND name = ?`).get(NS, 'web') as { n: number }).n;

/** Polls until the Endpoints `name` has `subsets` (toEqual's diff in the failure message). */
async function expectSubsets(name: string, subsets: unknown): Promise<any> {
  let last: any;
  try {
    return await eventually(async () => {
      last = await manifest(cp.api, 'endpoints', NS, name);
      return last && isDeepStrictEqual(last.subsets ?? [], subsets) ? last : undefined;
    }, 10_000);
  } catch {
    expect(last?.subsets ?? []).toEqual(subsets);
  }
}

const ref = (name: string, uid: string) => ({ kind: 'Pod', namespace: NS, name, uid });

describe('endpoints controller', () => {
  it('follows the readiness of the selected pods, resolves named target ports, and writes only on change', async () => {
    const a = await pod('a', { app: 'web' }, [{ name: 'http', containerPort: 8080 }, { containerPort: 9090 }]);
    const b = await pod('b', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]);
    const c = await pod('c', { app: 'web' }, [{ name: 'admin', containerPort: 7000 }]); // no port named http
    await pod('d', { app: 'other' }, [{ name: 'http', containerPort: 8080 }]); // not selected
    await pod('e', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]); // selected, but no IP yet
    await cp.api.ok(`mutation { bindPod(namespace: "ep", name: "a", nodeName: "node-1") { metadata { name } } }`);
    await setPodStatus(cp.api, NS, 'a', { ip: '10.128.0.10', ready: true });
    await setPodStatus(cp.api, NS, 'b', { ip: '10.128.0.11', ready: false });
    await setPodStatus(cp.api, NS, 'c', { ip: '10.128.0.12', ready: true });
    await setPodStatus(cp.api, NS, 'd', { ip: '10.128.0.13', ready: true });
    await cp.api.ok(CREATE_SERVICE, {
      i: {
        metadata: { name: 'web', namespace: NS, labels: { tier: 'front' } },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090 }] },
      },
    });

    const both = [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }];
    const metricsOnly = [{ name: 'metrics', port: 9090, protocol: 'TCP' }];
    const ep = await expectSubsets('web', [
      {
        addresses: [{ ip: '10.128.0.10', nodeName: 'node-1', targetRef: ref('a', a) }],
        notReadyAddresses: [{ ip: '10.128.0.11', targetRef: ref('b', b) }],
        ports: both,
      },
      // c has no port named http: it is in the metrics subset only.
      { addresses: [{ ip: '10.128.0.12', targetRef: ref('c', c) }], ports: metricsOnly },
    ]);
    expect(ep.metadata.labels).toMatchObject({ tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' });
    const written = endpointsEvents();
    expect(written).toBeGreaterThanOrEqual(1);

    // A change that alters nothing in the Endpoints writes nothing: the next real change is the only write.
    await cp.api.ok(`mutation { patchPod(namespace: "ep", name: "c", patch: { metadata: { annotations: { touched: "yes" } } }) { metadata { name } } }`);
    await setPodStatus(cp.api, NS, 'b', { ip: '10.128.0.11', ready: true });
    await expectSubsets('web', [
      {
        addresses: [
          { ip: '10.128.0.10', nodeName: 'node-1', targetRef: ref('a', a) },
          { ip: '10.128.0.11', targetRef: ref('b', b) },
        ],
        ports: both,
      },
      { addresses: [{ ip: '10.128.0.12', targetRef: ref('c', c) }], ports: metricsOnly },
    ]);
    expect(endpointsEvents()).toBe(written + 1);

    // A pod being deleted is not ready (a is bound, so it waits for its node agent); gone, it leaves.
    await cp.api.ok(`mutation { deletePod(namespace: "ep", name: "a") { metadata { deletionTimestamp } } }`);
    const inDeletion = await expectSubsets('web', [
      {
        addresses: [{ ip: '10.128.0.11', targetRef: ref('b', b) }],
        notReadyAddresses: [{ ip: '10.128.0.10', nodeName: 'node-1', targetRef: ref('a', a) }],
        ports: both,
      },
      { addresses: [{ ip: '10.128.0.12', targetRef: ref('c', c) }], ports: metricsOnly },
    ]);
    expect(inDeletion.metadata.labels.tier).toBe('front');
    await cp.api.ok(`mutation { deletePod(namespace: "ep", name: "a", gracePeriodSeconds: 0) { metadata { name } } }`);
    // A pod that stops matching the selector leaves too; one that becomes not ready moves.
    await cp.api.ok(`mutation { patchPod(namespace: "ep", name: "c", patch: { metadata: { labels: { app: "other" } } }) { metadata { name } } }`);
    await setPodStatus(cp.api, NS, 'b', { ip: '10.128.0.11', ready: false });
    await expectSubsets('web', [{ notReadyAddresses: [{ ip: '10.128.0.11', targetRef: ref('b', b) }], ports: both }]);
  });

  it('leaves a Service without a selector alone, and deletes the Endpoints with their Service', async () => {
    await cp.api.ok(CREATE_SERVICE, { i: { metadata: { name: 'manual', namespace: NS }, spec: { ports: [{ port: 5432 }] } } });
    const manualSubsets = [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432, protocol: 'TCP' }] }];
    await cp.api.ok(`mutation($i: EndpointsInput!) { createEndpoints(input: $i) { metadata { name } } }`, { i: { metadata: { name: 'manual', namespace: NS }, subsets: manualSubsets } });
    const before = await manifest(cp.api, 'endpoints', NS, 'manual');

    // Another Service in the namespace converging shows the controller has been through since.
    await cp.api.ok(CREATE_SERVICE, { i: { metadata: { name: 'later', namespace: NS }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } } });
    await eventually(() => manifest(cp.api, 'endpoints', NS, 'later'));
    await cp.api.ok(`mutation { patchService(namespace: "ep", name: "manual", patch: { metadata: { labels: { seen: "1" } } }) { metadata { name } } }`);
    await cp.api.ok(`mutation { deleteService(namespace: "ep", name: "later") { metadata { name } } }`);
    await eventually(async () => (await manifest(cp.api, 'endpoints', NS, 'later')) === null);
    expect(await manifest(cp.api, 'endpoints', NS, 'manual')).toEqual(before);

    // Deleting the Service takes its Endpoints with it, even those written by hand.
    await cp.api.ok(`mutation { deleteService(namespace: "ep", name: "manual") { metadata { name } } }`);
    await eventually(async () => (await manifest(cp.api, 'endpoints', NS, 'manual')) === null);
    await cp.api.ok(`mutation { deleteService(namespace: "ep", name: "web") { metadata { name } } }`);
    await eventually(async () => (await manifest(cp.api, 'endpoints', NS, 'web')) === null);
  });
});
