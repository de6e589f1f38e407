/**
 * A Deployment's revisions, by the conventions the Deployment controller keeps (as Kubernetes'):
 * the ReplicaSets it controls (ownerReference with controller: true and its uid) carry their
 * revision in the annotation `deployment.kubernetes.io/revision`, and their template carries the
 * `pod-template-hash` label the controller added.
 */
import type { KubeqlClient } from '../client/client.js';
import { objectClientOf } from '../client/object-client.js';
import type { KindDef } from '../resources/kind.js';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../resources/objects.js';
import { CliError } from './cli-error.js';
import { findKind } from './kinds.js';
import { notFound } from './not-found.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export interface Revision {
  revision: number;
  replicaSet: ReplicaSet;
}

export function deploymentKind(): KindDef {
  const kind = findKind('Deployment');
  if (!kind) throw new CliError('this build of kq has no Deployment kind');
  return kind;
}

export async function mustGetDeployment(client: KubeqlClient, namespace: string, name: string): Promise<Deployment> {
  const kind = deploymentKind();
  const deployment = await objectClientOf(client).get('Deployment', { namespace, name });
  if (!deployment) throw notFound(kind, name);
  return deployment;
}

/** The ReplicaSets the deployment controls that carry a revision, oldest first. */
export async function revisions(client: KubeqlClient, deployment: Deployment): Promise<Revision[]> {
  const { items } = await objectClientOf(client).list('ReplicaSet', { namespace: deployment.metadata.namespace });
  return items
    .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === deployment.metadata.uid))
    .map((rs) => ({ revision: Number(rs.metadata.annotations?.[REVISION_ANNOTATION]), replicaSet: rs }))
    .filter((r) => Number.isSafeInteger(r.revision) && r.revision > 0)
    .sort((a, b) => a.revision - b.revision);
}

/** A ReplicaSet's pod template as the Deployment had it: without the controller's `pod-template-hash` label. */
export function templateOf(rs: ReplicaSet): PodTemplateSpec {
  const template = structuredClone(rs.spec.template);
  if (template.metadata?.labels) {
    delete template.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(template.metadata.labels).length === 0) delete template.metadata.labels;
  }
  return template;
}
