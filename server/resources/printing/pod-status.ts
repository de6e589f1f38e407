/** A pod's READY, STATUS and RESTARTS cells, reasoned as kubectl's printPod does. */
import type { KObject } from '../kind.js';

type ContainerStatus = {
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string; exitCode?: number; signal?: number } };
};

const statuses = (pod: KObject, field: string): ContainerStatus[] => ((pod.status as Record<string, unknown> | undefined)?.[field] as ContainerStatus[] | undefined) ?? [];
const spec = (pod: KObject) => (pod.spec ?? {}) as { containers?: unknown[]; initContainers?: unknown[] };

export function podRestarts(pod: KObject): number {
  return [...statuses(pod, 'initContainerStatuses'), ...statuses(pod, 'containerStatuses')].reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

export function podReady(pod: KObject): string {
  const ready = statuses(pod, 'containerStatuses').filter((c) => c.ready && c.state?.running).length;
  return `${ready}/${spec(pod).containers?.length ?? 0}`;
}

export function podStatus(pod: KObject): string {
  const status = (pod.status ?? {}) as { phase?: string; reason?: string; conditions?: Array<{ type: string; status: string }> };
  let reason = status.reason || status.phase || 'Pending';

  let initializing = false;
  const inits = statuses(pod, 'initContainerStatuses');
  const initCount = spec(pod).initContainers?.length ?? inits.length;
  for (const [i, c] of inits.entries()) {
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    break;
  }

  if (!initializing) {
    let hasRunning = false;
    for (const c of [...statuses(pod, 'containerStatuses')].reverse()) {
      const s = c.state ?? {};
      if (s.waiting?.reason) reason = s.waiting.reason;
      else if (s.terminated?.reason) reason = s.terminated.reason;
      else if (s.terminated) reason = s.terminated.signal ? `Signal:${s.terminated.signal}` : `ExitCode:${s.terminated.exitCode}`;
      else if (c.ready && s.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning)
      reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}
