/** How simulated node agents behave (heartbeat, deletion); the defaults are a kubelet's, sped up where a simulation wants it. */
export interface AgentSettings {
  /** Lease renewal interval (kubelet: 10 s). */
  leaseIntervalMs: number;
  /** leaseDurationSeconds written in the Lease (kubelet: 40). */
  leaseDurationSeconds: number;
  /** A deleted pod goes after min(its grace period, this) (default 1 s). */
  deletionGraceMs: number;
}

export const DEFAULT_AGENT_SETTINGS: AgentSettings = { leaseIntervalMs: 10_000, leaseDurationSeconds: 40, deletionGraceMs: 1000 };
