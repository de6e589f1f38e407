/**
 * Which nodes a DaemonSet runs on (NodeShouldRunDaemonPod): the template's nodeName, nodeSelector
 * and required node affinity must match, and every NoSchedule/NoExecute taint must be tolerated by
 * the template's tolerations plus those Kubernetes adds to every daemon pod (not-ready and
 * unreachable NoExecute, so a daemon pod stays on a node the node-lifecycle controller tainted;
 * disk/memory/pid-pressure and unschedulable NoSchedule). A pod already there may stay if only
 * NoSchedule taints are untolerated.
 */
import type { Node, Pod, PodSpec } from '../../resources/objects.js';
import { requirementMatches } from '../../scheduler/filters/node-affinity.js';
import type { NodeSelectorTerm } from '../../resources/kinds/affinity.js';
import { taintsOf, tolerates, type Taint, type Toleration } from '../node-taints.js';

/** The template's pod spec a daemon pod is made from. */
export type DaemonPodSpec = PodSpec;

const exists = (key: string, effect: Toleration['effect']): Toleration => ({ key, operator: 'Exists', effect });

/** util.AddOrUpdateDaemonPodTolerations. */
export function daemonTolerations(spec: DaemonPodSpec): Toleration[] {
  const wanted = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(spec.hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
  const list = Array.isArray(spec.tolerations) ? [...spec.tolerations] : [];
  for (const t of wanted) if (!list.some((x) => x.key === t.key && x.effect === t.effect && x.operator === t.operator && (x.value ?? '') === '')) list.push(t);
  return list;
}

/** A node selector term against a node (nodeaffinity.NodeSelectorTerm.Match): expressions on labels, fields on metadata.name. */
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const expressions = Array.isArray(term?.matchExpressions) ? term.matchExpressions : [];
  const fields = Array.isArray(term?.matchFields) ? term.matchFields : [];
  if (expressions.length === 0 && fields.length === 0) return false;
  for (const r of expressions) if (!requirementMatches(r, Object.hasOwn(labels, r.key), labels[r.key])) return false;
  for (const r of fields) if (r.key !== 'metadata.name' || !requirementMatches(r, true, node.metadata.name)) return false;
  return true;
}

export interface Fit {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: Node, spec: DaemonPodSpec): Fit {
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return no;
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return no;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms !== undefined && !(Array.isArray(terms) && terms.some((t) => termMatches(t, node)))) return no;
  const tolerations = daemonTolerations(spec);
  const untolerated = (effects: string[]) => taintsOf(node).some((taint: Taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t, taint)));
  if (untolerated(['NoSchedule', 'NoExecute'])) return { shouldRun: false, shouldContinueRunning: !untolerated(['NoExecute']) };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: spec.nodeName, or the one name its required node affinity allows (GetTargetNodeName). */
export function targetNode(pod: Pod): string | undefined {
  const spec = pod.spec;
  if (spec.nodeName) return spec.nodeName;
  for (const term of spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [])
    for (const r of term.matchFields ?? []) if (r.key === 'metadata.name' && r.operator === 'In' && r.values?.length === 1) return r.values[0];
  return undefined;
}

/** The daemon pod's spec for `node`: the template's, with the daemon tolerations and a required node affinity to that node alone (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function daemonPodSpec(template: DaemonPodSpec, node: string): DaemonPodSpec {
  const affinity = template.affinity ?? {};
  return {
    ...template,
    tolerations: daemonTolerations(template),
    affinity: {
      ...affinity,
      nodeAffinity: {
        ...affinity.nodeAffinity,
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
      },
    },
  };
}
