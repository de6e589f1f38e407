/**
 * Registering a node, as the kubelet does: create the Node (the API server assigns its podCIDR),
 * or adopt the one already there after a restart; then post its status (capacity, allocatable,
 * conditions, addresses) only when it differs from what is stored.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeqlClient } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import { objectClientOf } from '../client/object-client.js';
import type { Node } from '../resources/objects.js';
import { nodeLabels, nodeStatus, type NodeShape } from './node-manifest.js';

/** The Node, created or adopted, with its labels as this agent wants them. */
export async function registerNode(client: KubeqlClient, shape: NodeShape): Promise<Node> {
  const objects = objectClientOf(client);
  const labels = nodeLabels(shape);
  try {
    return await objects.create('Node', { metadata: { name: shape.name, labels }, spec: {} });
  } catch (error) {
    if (!(error instanceof ClientError) || error.code !== 'ALREADY_EXISTS') throw error;
  }
  const current = await objects.get('Node', { name: shape.name });
  if (!current) return registerNode(client, shape); // deleted in between
  const missing = Object.fromEntries(Object.entries(labels).filter(([k, v]) => current.metadata.labels?.[k] !== v));
  if (Object.keys(missing).length === 0) return current;
  return objects.patch('Node', { name: shape.name }, { metadata: { labels: missing } });
}

/** Posts the node's status when it differs from `current`'s; returns the Node as stored. */
export async function postNodeStatus(client: KubeqlClient, shape: NodeShape, address: string, current: Node): Promise<Node> {
  const status = nodeStatus(shape, address, current);
  if (isDeepStrictEqual(status, current.status)) return current;
  return objectClientOf(client).updateStatus('Node', { name: shape.name }, status, { resourceVersion: current.metadata.resourceVersion });
}
