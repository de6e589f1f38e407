/**
 * A simulated kubelet starting a pod sends its status write and the Events about the start
 * (Pulled, Created, Started) in one GraphQL document: one request, not one for the status and
 * another for the Events. The agent runs in this process (NodeAgent) against a real API server,
 * its client counting the documents it sends.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { createEventRecorderCaches } from '../../server/client/event-recorder.js';
import { DEFAULT_AGENT_SETTINGS } from '../../server/agent/agent-settings.js';
import { NodeAgent, podWritesFor } from '../../server/agent/node-agent.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually } from '../support/processes.js';

const NS = 'start-doc';
let api: TestApi;
let real: KubeqlClient;
let heartbeats: KubeqlClient;
let agent: NodeAgent;
const documents: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
  real = createKubeqlClient({ server: api.server.url, token: api.token });
  heartbeats = createKubeqlClient({ server: api.server.url, token: api.token });
  // The real client, counting the documents it sends.
  const client: KubeqlClient = {
    get url() {
      return real.url;
    },
    servers: real.servers,
    request: (query, variables, options) => (documents.push(query), real.request(query, variables, options)),
    rest: (method, path, body, options) => real.rest(method, path, body, options),
    subscribe: (query, variables) => real.subscribe(query, variables),
    close: () => real.close(),
  };
  const ctx = {
    client,
    heartbeatClient: heartbeats,
    podWrites: podWritesFor(client),
    settings: DEFAULT_AGENT_SETTINGS,
    eventCaches: createEventRecorderCaches(),
    enqueue: (key: string) => {
      const [, namespace, name] = key.split('/');
      void agent.reconcile(namespace, name);
    },
    log: () => {},
  };
  agent = new NodeAgent({ name: 'doc-node', cpu: '4', memory: '8Gi', pods: '10' }, ctx);
  await agent.start();
});

afterAll(async () => {
  agent?.stop();
  await real?.close();
  await heartbeats?.close();
  await api?.close();
});

it('writes a starting pod\'s Running status and its Pulled, Created and Started Events in one document', async () => {
  await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
    i: { metadata: { name: 'web', namespace: NS }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  });
  documents.length = 0;
  await api.ok(`mutation { bindPod(namespace: "${NS}", name: "web", nodeName: "doc-node") { metadata { name } } }`);
  await eventually(async () => (await api.ok(`{ pod(namespace: "${NS}", name: "web") { status { phase } } }`)).pod.status?.phase === 'Running', 10_000);
  await eventually(async () => (await api.ok(`{ events(namespace: "${NS}") { edges { node { reason } } } }`)).events.edges.length === 3, 10_000);

  const writes = documents.filter((d) => d.startsWith('mutation'));
  expect(writes).toHaveLength(1);
  expect(writes[0].match(/\bm\d+: (\w+)\(/g)!.map((f) => f.replace(/^m\d+: |\($/g, ''))).toEqual(['updatePodStatus', 'createEvent', 'createEvent', 'createEvent']);
  const events = await api.ok(`{ events(namespace: "${NS}") { edges { node { reason count involvedObject { name fieldPath } } } } }`);
  expect(events.events.edges.map((e: any) => [e.node.reason, e.node.count, e.node.involvedObject.name, e.node.involvedObject.fieldPath]).sort()).toEqual([
    ['Created', 1, 'web', 'spec.containers{app}'],
    ['Pulled', 1, 'web', 'spec.containers{app}'],
    ['Started', 1, 'web', 'spec.containers{app}'],
  ]);
});
