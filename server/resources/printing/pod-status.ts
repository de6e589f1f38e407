/** A pod's READY, STATUS and RESTARTS cells, reasoned as kubectl's printPod does. */
import type { Pod, PodStatus } from '../objects.js';

const statuses = (pod: Pod, field: 'containerStatuses' | 'initContainerStatuses') => pod.status?.[field] ?? [];

export function podRestarts(pod: Pod): number {
  return [...statuses(pod, 'initContainerStatuses'), ...statuses(pod, 'containerStatuses')].reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

export function podReady(pod: Pod): string {
  const ready = statuses(pod, 'containerStatuses').filter((c) => c.ready && c.state?.running).length;
  return `${ready}/${pod.spec.containers?.length ?? 0}`;
}

export function podStatus(pod: Pod): string {
  const status: PodStatus = pod.status ?? {};
  let reason = status.reason || status.phase || 'Pending';

  let initializing = false;
  const inits = statuses(pod, 'initContainerStatuses');
  const initCount = pod.spec.initContainers?.length ?? inits.length;
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
