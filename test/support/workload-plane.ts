/**
 * The whole plane for workload controller tests: a test API server, the scheduler, simulated node
 * agents, and a controller-manager that can be killed (-9) and started again. Helpers read the
 * log to replay what the controllers did.
 */
import { startTestApi, type TestApi } from './api.js';
import { eventually, startComponent, stopAllComponents, type Component } from './processes.js';

export interface WorkloadPlane {
  api: TestApi;
  agents: Component;
  controllers: Component;
  /** A new controller-manager (after the old one was killed or stopped). */
  startControllers(env?: Record<string, string>): Component;
  /** More simulated nodes (`prefix0`..), in a process of their own. */
  startAgents(nodes: number, prefix: string): Promise<Component>;
  close(): Promise<void>;
}

export async function startWorkloadPlane(options: { nodes?: number; controllerEnv?: Record<string, string>; controllerFlags?: string[] } = {}): Promise<WorkloadPlane> {
  const api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  const server = ['--server', api.server.url];
  startComponent('scheduler/main.ts', [...server, '--initial-backoff-ms', '200', '--max-backoff-ms', '1000']);
  const startAgents = async (nodes: number, prefix: string) => {
    const agents = startComponent('agent/main.ts', [...server, '--nodes', String(nodes), '--prefix', prefix, '--lease-interval-ms', '300', '--deletion-grace-ms', '200']);
    await eventually(() => agents.output().includes('nodes registered'), 30_000, () => agents.output());
    return agents;
  };
  const agents = await startAgents(options.nodes ?? 2, 'node-');
  const plane: WorkloadPlane = {
    api,
    agents,
    controllers: undefined as unknown as Component,
    startControllers(env = {}) {
      plane.controllers = startComponent('controllers/main.ts', [...server, ...(options.controllerFlags ?? [])], { LOG_LEVEL: 'debug', ...options.controllerEnv, ...env });
      return plane.controllers;
    },
    startAgents,
    async close() {
      await stopAllComponents();
      await api.close();
    },
  };
  plane.startControllers();
  return plane;
}

export interface LogRow {
  revision: number;
  type: string;
  verb: string;
  kind: string;
  name: string;
  uid: string;
  request_id: string | null;
  object: any;
}

/** Every event of `kinds` in `namespace`, oldest first, objects parsed. */
export function logRows(api: TestApi, namespace: string, kinds: string[]): LogRow[] {
  const rows = api.db().prepare(`SELECT revision, type, verb, kind, name, uid, request_id, object FROM events WHERE namespace = ? AND kind IN (${kinds.map(() => '?').join(',')}) ORDER BY revision`).all(namespace, ...kinds) as Array<LogRow & { object: string }>;
  return rows.map((r) => ({ ...r, object: JSON.parse(r.object) }));
}

export const controlledBy = (o: any, uid: string) => (o.metadata.ownerReferences ?? []).some((r: any) => r.uid === uid && r.controller);

/** The log replayed: after each event, the pods `uid` controls that are live (created, not finished, not being deleted), and how many were created so far. */
export function replayOwnedPods(api: TestApi, namespace: string, uid: string): Array<{ revision: number; live: number; created: number; liveNames: string[] }> {
  const live = new Set<string>();
  const names = new Map<string, string>();
  let created = 0;
  const out = [];
  for (const row of logRows(api, namespace, ['Pod'])) {
    if (!controlledBy(row.object, uid)) {
      live.delete(row.uid);
      continue;
    }
    if (row.type === 'ADDED') created++;
    const phase = row.object.status?.phase;
    if (row.type === 'DELETED' || row.object.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed') live.delete(row.uid);
    else live.add(row.uid);
    names.set(row.uid, row.name);
    out.push({ revision: row.revision, live: live.size, created, liveNames: [...live].map((u) => names.get(u)!) });
  }
  return out;
}
