/** Plays a node agent for scheduler tests (a client, not a mock): registers a Node with allocatable resources and a Ready condition. */
import type { TestApi } from './api.js';

export interface TestNode {
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  pods?: string;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  unschedulable?: boolean;
  /** The Ready condition's status; 'missing' posts no conditions at all (default True). */
  ready?: 'True' | 'False' | 'Unknown' | 'missing';
}

export async function createNode(api: TestApi, name: string, node: TestNode = {}): Promise<void> {
  await api.ok(`mutation($i: NodeInput!) { createNode(input: $i) { metadata { name } } }`, {
    i: { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...node.labels } }, spec: { taints: node.taints, unschedulable: node.unschedulable } },
  });
  const resources = { cpu: node.cpu ?? '4', memory: node.memory ?? '8Gi', pods: node.pods ?? '110' };
  await api.ok(`mutation($n: String!, $s: JSON!) { updateNodeStatus(name: $n, status: $s) { metadata { name } } }`, {
    n: name,
    s: { capacity: resources, allocatable: resources, conditions: node.ready === 'missing' ? [] : [{ type: 'Ready', status: node.ready ?? 'True' }] },
  });
}

/** Where each pod of a namespace is bound (name → node, null while pending). */
export async function placements(api: TestApi, namespace: string): Promise<Record<string, string | null>> {
  const data = await api.ok(`query($ns: String!) { pods(namespace: $ns) { edges { node { metadata { name } spec { nodeName } } } } }`, { ns: namespace });
  return Object.fromEntries(data.pods.edges.map((e: any) => [e.node.metadata.name, e.node.spec.nodeName]));
}

/** The PodScheduled condition of a pod. */
export async function podScheduled(api: TestApi, namespace: string, name: string): Promise<{ status: string; reason?: string; message?: string } | undefined> {
  const data = await api.ok(`query($ns: String!, $n: String!) { pod(namespace: $ns, name: $n) { manifest } }`, { ns: namespace, n: name });
  return data.pod?.manifest.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled');
}
