/**
 * A StatefulSet pod's identity: its ordinal from its name (`web-2`), the name, labels and
 * hostname/subdomain it is made with, and its revision (`controller-revision-hash: web-<hash>`).
 */
import type { NewObject } from '../../client/object-client.js';
import type { KObject } from '../../resources/kind.js';
import type { Pod, PodTemplateSpec, StatefulSet } from '../../resources/objects.js';
import { computeHash } from '../deployment/template-hash.js';
import { podFromTemplate } from '../owned-pods.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** getParentNameAndOrdinal: the ordinal of a pod named `<set>-<n>`, or -1. */
export function ordinalOf(set: KObject, pod: KObject): number {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata.name);
  if (!m || m[1] !== set.metadata.name) return -1;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? n : -1;
}

export const revisionOf = (pod: KObject) => pod.metadata.labels?.[REVISION_LABEL] ?? '';

/** The update revision's name: the set's name and the hash of its template. */
export function updateRevisionName(set: StatefulSet): string {
  // As getStatefulSetRevisions: a set that never collided hashes with a count of 0, the same before and after its first status.
  return `${set.metadata.name}-${computeHash(set.spec.template, set.status?.collisionCount ?? 0)}`;
}

type Template = PodTemplateSpec;

/** newStatefulSetPod: `<set>-<ordinal>` from `template`, labelled with `revision`, with hostname and subdomain set. */
export function statefulSetPod(set: StatefulSet, template: Template, ordinal: number, revision: string): NewObject<'Pod'> {
  const name = `${set.metadata.name}-${ordinal}`;
  const serviceName = set.spec.serviceName;
  return podFromTemplate(set, template, {
    name,
    labels: { [REVISION_LABEL]: revision, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
    spec: { hostname: name, ...(serviceName ? { subdomain: serviceName } : {}) },
  });
}

/**
 * The template of an older revision, read back from a pod made with it (Kubeql keeps no
 * ControllerRevision objects): its labels without the identity ones, its spec without hostname and
 * subdomain. Undefined when no pod of that revision is left.
 */
export function templateOfRevision(pods: Pod[], revision: string): Template | undefined {
  const pod = pods.find((p) => revisionOf(p) === revision);
  if (!pod) return undefined;
  const labels = { ...pod.metadata.labels };
  for (const k of [REVISION_LABEL, POD_NAME_LABEL, POD_INDEX_LABEL]) delete labels[k];
  const { hostname: _h, subdomain: _s, nodeName: _n, ...spec } = pod.spec;
  return { metadata: { labels, ...(pod.metadata.annotations ? { annotations: pod.metadata.annotations } : {}) }, spec };
}
