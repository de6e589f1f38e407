/**
 * Registering a node, as the kubelet does: create the Node (the API server assigns its podCIDR),
 * or adopt the one already there after a restart; then post its status (capacity, allocatable,
 * conditions, addresses) only when it differs from what is stored.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeqlClient } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import type { KObject } from '../resources/kind.js';
import { nodeLabels, nodeStatus, type NodeShape } from './node-manifest.js';

const CREATE = `mutation($i: NodeInput!) { createNode(input: $i) { manifest } }`;
const GET = `query($n: String!) { node(name: $n) { manifest } }`;
const PATCH = `mutation($n: String!, $p: JSON!) { patchNode(name: $n, patch: $p) { manifest } }`;
const UPDATE_STATUS = `mutation($n: String!, $s: JSON!, $rv: String) { updateNodeStatus(name: $n, status: $s, resourceVersion: $rv) { manifest } }`;

/** The Node, created or adopted, with its labels as this agent wants them. */
export async function registerNode(client: KubeqlClient, shape: NodeShape): Promise<KObject> {
  const labels = nodeLabels(shape);
  try {
    const { createNode } = await client.request(CREATE, { i: { metadata: { name: shape.name, labels }, spec: {} } });
    return createNode.manifest;
  } catch (error) {
    if (!(error instanceof ClientError) || error.code !== 'ALREADY_EXISTS') throw error;
  }
  const { node } = await client.request(GET, { n: shape.name });
  if (!node) return registerNode(client, shape); // deleted in between
  const current: KObject = node.manifest;
  const missing = Object.fromEntries(Object.entries(labels).filter(([k, v]) => current.metadata.labels?.[k] !== v));
  if (Object.keys(missing).length === 0) return current;
  const { patchNode } = await client.request(PATCH, { n: shape.name, p: { metadata: { labels: missing } } });
  return patchNode.manifest;
}

/** Posts the node's status when it differs from `current`'s; returns the Node as stored. */
export async function postNodeStatus(client: KubeqlClient, shape: NodeShape, address: string, current: KObject): Promise<KObject> {
  const status = nodeStatus(shape, address, current);
  if (isDeepStrictEqual(status, current.status)) return current;
  const { updateNodeStatus } = await client.request(UPDATE_STATUS, { n: shape.name, s: status, rv: current.metadata.resourceVersion });
  return updateNodeStatus.manifest;
}
