/** A pod's `kq describe` body as kubectl lays it out: a heading per container, a Conditions table, QoS Class, Node-Selectors, Tolerations, Events. */
import type { KObject } from '../../resources/kind.js';
import { parseQuantity } from '../../resources/quantity.js';

export interface DescribeLine {
  indent: number;
  key: string;
  value: string;
}

type Any = Record<string, any>;

/** Kubernetes' QoS class: Guaranteed when every container's cpu and memory limits are set and requests equal them, BestEffort when no container asks for anything, else Burstable. */
export function qosClass(pod: KObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: Any[] = [...(((pod.spec ?? {}) as Any).initContainers ?? []), ...(((pod.spec ?? {}) as Any).containers ?? [])];
  const some = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!some) return 'BestEffort';
  const guaranteed = containers.every((c) => {
    const limits = c.resources?.limits ?? {};
    const requests = { ...limits, ...(c.resources?.requests ?? {}) };
    return ['cpu', 'memory'].every((r) => limits[r] !== undefined && parseQuantity(requests[r]) === parseQuantity(limits[r]));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function stateLines(state: Any | undefined, indent: number): DescribeLine[] {
  const [name, detail] = Object.entries(state ?? {})[0] ?? ['waiting', {}];
  const title = name.charAt(0).toUpperCase() + name.slice(1);
  const lines: DescribeLine[] = [{ indent, key: 'State', value: title }];
  const d = (detail ?? {}) as Any;
  if (d.reason) lines.push({ indent: indent + 1, key: 'Reason', value: String(d.reason) });
  if (d.exitCode !== undefined) lines.push({ indent: indent + 1, key: 'Exit Code', value: String(d.exitCode) });
  if (d.startedAt) lines.push({ indent: indent + 1, key: 'Started', value: String(d.startedAt) });
  if (d.finishedAt) lines.push({ indent: indent + 1, key: 'Finished', value: String(d.finishedAt) });
  return lines;
}

/** One container under its heading; `base` is the heading's indent. A template's containers (no status) have no State, Ready or Restart Count. */
function containerLines(c: Any, status: Any | undefined, base = 1, template = false): DescribeLine[] {
  const lines: DescribeLine[] = [{ indent: base, key: c.name, value: '' }];
  const line = (key: string, value: unknown) => lines.push({ indent: base + 1, key, value: value === undefined || value === null || value === '' ? '<none>' : String(value) });
  line('Image', c.image);
  const ports: Any[] = c.ports ?? [];
  if (ports.length <= 1) line('Port', ports[0] ? `${ports[0].containerPort}/${ports[0].protocol ?? 'TCP'}` : undefined);
  else line('Ports', ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', '));
  if (c.command?.length) line('Command', c.command.join(' '));
  if (c.args?.length) line('Args', c.args.join(' '));
  if (!template) {
    lines.push(...stateLines(status?.state, base + 1));
    line('Ready', status ? (status.ready ? 'True' : 'False') : 'False');
    line('Restart Count', status?.restartCount ?? 0);
  }
  for (const which of ['limits', 'requests'] as const) {
    const map = c.resources?.[which] as Record<string, string> | undefined;
    if (map && Object.keys(map).length) {
      lines.push({ indent: base + 1, key: which === 'limits' ? 'Limits' : 'Requests', value: '' });
      for (const [k, v] of Object.entries(map)) lines.push({ indent: base + 2, key: k, value: String(v) });
    }
  }
  const env: Any[] = c.env ?? [];
  if (env.length === 0) line('Environment', undefined);
  else {
    lines.push({ indent: base + 1, key: 'Environment', value: '' });
    for (const e of env) lines.push({ indent: base + 2, key: e.name, value: (e.value ?? (e.valueFrom ? JSON.stringify(e.valueFrom) : '')) || '<none>' });
  }
  const mounts: Any[] = c.volumeMounts ?? [];
  line('Mounts', mounts.length ? mounts.map((m) => `${m.mountPath} from ${m.name}${m.readOnly ? ' (ro)' : ' (rw)'}`).join(', ') : undefined);
  return lines;
}

/** A table under a heading (kubectl's Conditions and Events), columns two spaces apart at least. */
export function tableLines(heading: string, header: string[], rows: string[][]): DescribeLine[] {
  if (rows.length === 0) return [{ indent: 0, key: heading, value: '<none>' }];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2))).join('');
  return [{ indent: 0, key: heading, value: '' }, { indent: 1, key: '', value: fmt(header) }, { indent: 1, key: '', value: fmt(header.map((h) => '-'.repeat(h.length))) }, ...rows.map((r) => ({ indent: 1, key: '', value: fmt(r) }))];
}

export function podLines(pod: KObject, events: string[][] = []): DescribeLine[] {
  const spec = (pod.spec ?? {}) as Any;
  const status = (pod.status ?? {}) as Any;
  const lines: DescribeLine[] = [];
  const statusOf = (name: string, list: Any[] | undefined) => (list ?? []).find((s) => s.name === name);
  if (spec.initContainers?.length) {
    lines.push({ indent: 0, key: 'Init Containers', value: '' });
    for (const c of spec.initContainers) lines.push(...containerLines(c, statusOf(c.name, status.initContainerStatuses)));
  }
  lines.push({ indent: 0, key: 'Containers', value: '' });
  for (const c of spec.containers ?? []) lines.push(...containerLines(c, statusOf(c.name, status.containerStatuses)));
  lines.push(...tableLines('Conditions', ['Type', 'Status'], (status.conditions ?? []).map((c: Any) => [String(c.type), String(c.status)])));
  const volumes: Any[] = spec.volumes ?? [];
  if (volumes.length === 0) lines.push({ indent: 0, key: 'Volumes', value: '<none>' });
  else {
    lines.push({ indent: 0, key: 'Volumes', value: '' });
    for (const v of volumes) {
      const [type, detail] = Object.entries(v).find(([k]) => k !== 'name') ?? ['', {}];
      lines.push({ indent: 1, key: v.name, value: '' }, { indent: 2, key: 'Type', value: type ? `${type.charAt(0).toUpperCase()}${type.slice(1)}` : '<unknown>' });
      for (const [k, val] of Object.entries((detail ?? {}) as Any)) lines.push({ indent: 2, key: k.charAt(0).toUpperCase() + k.slice(1), value: typeof val === 'object' ? JSON.stringify(val) : String(val) });
    }
  }
  lines.push({ indent: 0, key: 'QoS Class', value: qosClass(pod) });
  const selectors = Object.entries((spec.nodeSelector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  lines.push({ indent: 0, key: 'Node-Selectors', value: selectors.length ? selectors.join(',') : '<none>' });
  const tolerations: Any[] = spec.tolerations ?? [];
  const toleration = (t: Any) => `${t.key ?? ''}${t.operator === 'Exists' ? '' : t.value !== undefined ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''} op=${t.operator ?? 'Equal'}${t.tolerationSeconds !== undefined ? ` for ${t.tolerationSeconds}s` : ''}`;
  if (tolerations.length === 0) lines.push({ indent: 0, key: 'Tolerations', value: '<none>' });
  else tolerations.forEach((t, i) => lines.push({ indent: 0, key: i === 0 ? 'Tolerations' : '', value: toleration(t) }));
  lines.push(...tableLines('Events', ['Type', 'Reason', 'Age', 'From', 'Message'], events));
  return lines;
}

/** A Deployment's or ReplicaSet's body as kubectl describes it: Selector, strategy, a Pod Template with a heading per container, Conditions, Events. */
export function workloadLines(o: KObject, events: string[][] = []): DescribeLine[] {
  const spec = (o.spec ?? {}) as Any;
  const status = (o.status ?? {}) as Any;
  const lines: DescribeLine[] = [];
  const selector = spec.selector ?? {};
  const terms = [
    ...Object.entries((selector.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`),
    ...((selector.matchExpressions ?? []) as Any[]).map((e) => `${e.key} ${String(e.operator).toLowerCase()} (${(e.values ?? []).join(',')})`),
  ];
  lines.push({ indent: 0, key: 'Selector', value: terms.join(',') || '<none>' });
  if (o.kind === 'Deployment') {
    const strategy = spec.strategy ?? {};
    lines.push({ indent: 0, key: 'StrategyType', value: String(strategy.type ?? 'RollingUpdate') });
    lines.push({ indent: 0, key: 'MinReadySeconds', value: String(spec.minReadySeconds ?? 0) });
    if ((strategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const ru = strategy.rollingUpdate ?? {};
      lines.push({ indent: 0, key: 'RollingUpdateStrategy', value: `${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge` });
    }
  }
  const template = spec.template ?? {};
  const labels = Object.entries((template.metadata?.labels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  lines.push({ indent: 0, key: 'Pod Template', value: '' });
  lines.push({ indent: 1, key: 'Labels', value: labels.join(',') || '<none>' });
  lines.push({ indent: 1, key: 'Containers', value: '' });
  for (const c of template.spec?.containers ?? []) lines.push(...containerLines(c, undefined, 2, true));
  lines.push(...tableLines('Conditions', ['Type', 'Status', 'Reason'], ((status.conditions ?? []) as Any[]).map((c) => [String(c.type), String(c.status), String(c.reason ?? '')])));
  lines.push(...tableLines('Events', ['Type', 'Reason', 'Age', 'From', 'Message'], events));
  return lines;
}

/** A Service's body as kubectl describes it; `endpoints` is its Endpoints object, when there is one. */
export function serviceLines(o: KObject, endpoints: KObject | null, events: string[][] = []): DescribeLine[] {
  const spec = (o.spec ?? {}) as Any;
  const lines: DescribeLine[] = [];
  const line = (key: string, value: unknown) => lines.push({ indent: 0, key, value: value === undefined || value === null || value === '' ? '<none>' : String(value) });
  line('Selector', Object.entries((spec.selector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(','));
  line('Type', spec.type ?? 'ClusterIP');
  if (spec.ipFamilyPolicy) line('IP Family Policy', spec.ipFamilyPolicy);
  if (spec.ipFamilies?.length) line('IP Families', spec.ipFamilies.join(','));
  line('IP', spec.clusterIP);
  line('IPs', (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).join(','));
  const subsets: Any[] = ((endpoints ?? {}) as Any).subsets ?? [];
  for (const p of (spec.ports ?? []) as Any[]) {
    const protocol = p.protocol ?? 'TCP';
    line('Port', `${p.name ?? '<unset>'}  ${p.port}/${protocol}`);
    line('TargetPort', `${p.targetPort ?? p.port}/${protocol}`);
    if (p.nodePort) line('NodePort', `${p.name ?? '<unset>'}  ${p.nodePort}/${protocol}`);
    const addresses = subsets.flatMap((sub) => {
      const port = ((sub.ports ?? []) as Any[]).find((sp) => (p.name ? sp.name === p.name : true));
      return port ? ((sub.addresses ?? []) as Any[]).map((a) => `${a.ip}:${port.port}`) : [];
    });
    line('Endpoints', addresses.join(','));
  }
  line('Session Affinity', spec.sessionAffinity ?? 'None');
  lines.push(...tableLines('Events', ['Type', 'Reason', 'Age', 'From', 'Message'], events));
  return lines;
}
