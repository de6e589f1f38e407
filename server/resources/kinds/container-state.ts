/**
 * A container's state in a pod's status (core/v1 ContainerState), as the node agent writes it and
 * the controllers and printers read it. The shape keeps it as JSON; exactly one of the three is set.
 */
export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    exitCode: number;
    signal?: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    containerID?: string;
  };
}
