/** A filter plugin: whether a pod may go on a node; the reasons it may not, worded as kube-scheduler's. */
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

export interface Filter {
  name: string;
  /** Undefined when the pod fits; else the reasons (counted per node in the unschedulable message). */
  filter(pod: PodInfo, node: NodeInfo): readonly string[] | undefined;
}
