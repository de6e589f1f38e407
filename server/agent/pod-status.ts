/**
 * The status a simulated kubelet reports for a pod: Running (addresses, start time, running
 * containers, Initialized/Ready/ContainersReady), or finished (Succeeded or Failed, terminated
 * containers). Values that did not change (times, container ids) are kept from the current status,
 * so reporting the same state twice yields an equal object and nothing is written.
 */
import type { Pod } from '../resources/objects.js';

/** A condition as the kubelet writes it: `lastProbeTime: null`, as Kubernetes serializes an unset one. */
interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export const COMPLETE_AFTER_ANNOTATION = 'kubeql.dev/complete-after-seconds';
export const EXIT_CODE_ANNOTATION = 'kubeql.dev/exit-code';

export const timestamp = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

const containersOf = (pod: Pod) => pod.spec.containers ?? [];

/** Sets conditions, keeping each one's place and, when its status is unchanged, its transition time. */
function withConditions(current: PodCondition[] | undefined, wanted: Array<Pick<PodCondition, 'type' | 'status' | 'reason'>>, at: string): PodCondition[] {
  const result = [...(current ?? [])];
  for (const w of wanted) {
    const i = result.findIndex((c) => c.type === w.type);
    const was = i >= 0 ? result[i] : undefined;
    const next: PodCondition = { type: w.type, status: w.status, ...(w.reason ? { reason: w.reason } : {}), lastProbeTime: null, lastTransitionTime: was?.status === w.status && was.lastTransitionTime ? was.lastTransitionTime : at };
    if (i >= 0) result[i] = next;
    else result.push(next);
  }
  return result;
}

/** Running, with `podIP` on `hostIP`. */
export function runningStatus(pod: Pod, podIP: string, hostIP: string, at = timestamp()): Record<string, unknown> {
  const status = pod.status ?? {};
  const startTime = status.startTime ?? at;
  const old = status.containerStatuses ?? [];
  return {
    ...status,
    phase: 'Running',
    conditions: withConditions(
      status.conditions,
      [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
      ],
      at,
    ),
    hostIP,
    podIP,
    podIPs: [{ ip: podIP }],
    startTime,
    containerStatuses: containersOf(pod).map((c) => {
      const was = old.find((s) => s.name === c.name);
      return {
        name: c.name,
        state: { running: { startedAt: was?.state?.running?.startedAt ?? startTime } },
        ready: true,
        started: true,
        restartCount: 0,
        image: c.image,
        imageID: `kubeql://image/${c.image}`,
        containerID: was?.containerID ?? `kubeql://${pod.metadata.uid}/${c.name}`,
      };
    }),
  };
}

/**
 * How long a container that runs a `command` (the docs' `perl -Mbignum=bpi -wle 'print bpi(2000)'`)
 * takes in the simulation when nothing says otherwise: it then exits 0.
 */
export const COMMAND_RUN_SECONDS = 2;

/**
 * When a pod with restartPolicy Never or OnFailure finishes (ms since epoch), and with what exit
 * code: after the completion annotation's seconds, or, without it, after COMMAND_RUN_SECONDS when a
 * container runs a command (a batch program); a pod with neither runs until deleted.
 */
export function completion(pod: Pod): { at: number; exitCode: number } | undefined {
  const spec = pod.spec;
  const policy = spec.restartPolicy;
  if (policy !== 'Never' && policy !== 'OnFailure') return undefined;
  const runsCommand = (spec.containers ?? []).some((c) => (c.command?.length ?? 0) > 0);
  const after = pod.metadata.annotations?.[COMPLETE_AFTER_ANNOTATION] ?? (runsCommand ? String(COMMAND_RUN_SECONDS) : undefined);
  if (after === undefined) return undefined;
  const seconds = Number(after);
  const started = Date.parse(pod.status?.startTime ?? '');
  if (!Number.isFinite(seconds) || seconds < 0 || !Number.isFinite(started)) return undefined;
  const exitCode = Math.trunc(Number(pod.metadata.annotations?.[EXIT_CODE_ANNOTATION] ?? 0)) || 0;
  return { at: started + seconds * 1000, exitCode };
}

/** Finished: Succeeded with exit code 0, else Failed; the containers terminated with that code. */
export function finishedStatus(pod: Pod, exitCode: number, at = timestamp()): Record<string, unknown> {
  const status = pod.status ?? {};
  const old = status.containerStatuses ?? [];
  const done = { status: 'False', reason: 'PodCompleted' };
  return {
    ...status,
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: withConditions(
      status.conditions,
      [
        { type: 'Initialized', status: 'True', reason: 'PodCompleted' },
        { type: 'Ready', ...done },
        { type: 'ContainersReady', ...done },
      ],
      at,
    ),
    containerStatuses: containersOf(pod).map((c) => {
      const was = old.find((s) => s.name === c.name);
      return {
        name: c.name,
        state: {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            startedAt: was?.state?.running?.startedAt ?? was?.state?.terminated?.startedAt ?? status.startTime ?? at,
            finishedAt: was?.state?.terminated?.finishedAt ?? at,
            containerID: was?.containerID ?? `kubeql://${pod.metadata.uid}/${c.name}`,
          },
        },
        ready: false,
        started: false,
        restartCount: 0,
        image: c.image,
        imageID: `kubeql://image/${c.image}`,
        containerID: was?.containerID ?? `kubeql://${pod.metadata.uid}/${c.name}`,
      };
    }),
  };
}

export const isFinished = (pod: Pod) => {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
};

/**
 * Pending on this node with its containers waiting: `ContainerCreating` while a volume cannot be
 * mounted, `CreateContainerConfigError` (with the kubelet's message) while a ConfigMap or Secret
 * its env names is missing. No address yet; startTime is left for the start.
 */
export function waitingStatus(pod: Pod, hostIP: string, reason: 'ContainerCreating' | 'CreateContainerConfigError', message?: string, at = timestamp()): Record<string, unknown> {
  const status = pod.status ?? {};
  const notReady = { status: 'False', reason: 'ContainersNotReady' };
  return {
    ...status,
    phase: 'Pending',
    conditions: withConditions(
      status.conditions,
      [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', ...notReady },
        { type: 'ContainersReady', ...notReady },
      ],
      at,
    ),
    hostIP,
    containerStatuses: containersOf(pod).map((c) => ({
      name: c.name,
      state: { waiting: { reason, ...(message ? { message } : {}) } },
      ready: false,
      started: false,
      restartCount: 0,
      image: c.image,
      imageID: '',
    })),
  };
}
