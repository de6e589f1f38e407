/**
 * The graph's relations (DESIGN §4), declared once: which kind gets which field, the kind it leads
 * to, and how the targets are found. The relations module generates SDL, resolvers and batched
 * loads from this table, keeping only the rows whose two kinds are in the registry.
 */
import type { KObject } from '../../../resources/kind.js';
import type { ObjectIndex } from '../../../store/types.js';

interface RelationBase {
  /** The kind that gets the field. */
  from: string;
  field: string;
  /** The kind the field leads to. */
  to: string;
  description: string;
}

export type Relation = RelationBase &
  (
    | /** One object, by name: in the source's namespace, or cluster-scoped when the target kind is. */
    { by: 'name'; name: (o: KObject) => unknown }
    | /** Every object whose indexed column (spec.nodeName, controller uid) equals the source's value. */
    { by: 'index'; index: ObjectIndex; value: (o: KObject) => unknown }
    | /** Every object in the source's namespace carrying all the labels of the source's selector (none without one). */
    { by: 'selector'; selector: (o: KObject) => unknown }
  );

const spec = (o: KObject) => (o.spec ?? {}) as Record<string, unknown>;
const uid = (o: KObject) => o.metadata.uid;

export const RELATIONS: readonly Relation[] = [
  {
    from: 'Pod',
    field: 'node',
    to: 'Node',
    by: 'name',
    name: (pod) => spec(pod).nodeName,
    description: 'The Node this pod is bound to (spec.nodeName); null while unscheduled or when that Node does not exist.',
  },
  {
    from: 'Node',
    field: 'pods',
    to: 'Pod',
    by: 'index',
    index: 'nodeName',
    value: (node) => node.metadata.name,
    description: 'The pods bound to this node (spec.nodeName), in every namespace.',
  },
  {
    from: 'Service',
    field: 'pods',
    to: 'Pod',
    by: 'selector',
    selector: (service) => spec(service).selector,
    description: "The pods in the service's namespace that spec.selector matches; none for a service without a selector.",
  },
  {
    from: 'Service',
    field: 'endpoints',
    to: 'Endpoints',
    by: 'name',
    name: (service) => service.metadata.name,
    description: 'The Endpoints of the same namespace and name.',
  },
  {
    from: 'ReplicaSet',
    field: 'pods',
    to: 'Pod',
    by: 'index',
    index: 'controllerUid',
    value: uid,
    description: "The pods this ReplicaSet controls (their controller ownerReference's uid is its uid).",
  },
  {
    from: 'Deployment',
    field: 'replicaSets',
    to: 'ReplicaSet',
    by: 'index',
    index: 'controllerUid',
    value: uid,
    description: "The ReplicaSets this Deployment controls (their controller ownerReference's uid is its uid).",
  },
  {
    from: 'Job',
    field: 'pods',
    to: 'Pod',
    by: 'index',
    index: 'controllerUid',
    value: uid,
    description: "The pods this Job controls (their controller ownerReference's uid is its uid).",
  },
  {
    from: 'DaemonSet',
    field: 'pods',
    to: 'Pod',
    by: 'index',
    index: 'controllerUid',
    value: uid,
    description: "The pods this DaemonSet controls (their controller ownerReference's uid is its uid).",
  },
  {
    from: 'StatefulSet',
    field: 'pods',
    to: 'Pod',
    by: 'index',
    index: 'controllerUid',
    value: uid,
    description: "The pods this StatefulSet controls (their controller ownerReference's uid is its uid).",
  },
];
