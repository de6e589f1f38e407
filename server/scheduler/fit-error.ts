/** Why a pod fits nowhere, worded as kube-scheduler's FitError: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match ...". */

/** Reasons counted over nodes (a node may add several, as Insufficient cpu and memory). */
export type ReasonHistogram = Map<string, number>;

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export function fitErrorMessage(numAllNodes: number, reasons: ReasonHistogram): string {
  if (numAllNodes === 0) return NO_NODES_MESSAGE;
  // As FitError.Error: "<count> <reason>" strings sorted as strings (sort.Strings), joined by ", ".
  const parts = [...reasons].map(([reason, count]) => `${count} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `0/${numAllNodes} nodes are available: ${parts.join(', ')}.`;
}
