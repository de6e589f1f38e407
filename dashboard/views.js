// The views: each renders from the cluster (live or at a past revision) into an element.
import { patchLines } from './changes.js';
import { toYaml } from './yaml.js';

const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const link = (kind, o, text = o.metadata.name) => `<a class="obj" href="#object/${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}">${esc(text)}</a>`;

/**
 * A table whose cells carry their column's name (data-label): a narrow window shows each row as a
 * block of "label value" lines instead of columns wider than the screen. A cell is its HTML, or
 * { html, cls }; a row is its cells, or { attrs, cells }.
 */
function table(headers, rows, empty = 'None.') {
  const cell = (c, i) => {
    const { html, cls } = typeof c === 'object' && c !== null ? c : { html: c };
    return `<td data-label="${esc(headers[i])}"${cls ? ` class="${cls}"` : ''}>${html}</td>`;
  };
  const body = rows.map((r) => {
    const { attrs = '', cells } = Array.isArray(r) ? { cells: r } : r;
    return `<tr${attrs}>${cells.map(cell).join('')}</tr>`;
  });
  return `<table class="rows"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('') || `<tr class="empty"><td colspan="${headers.length}" class="muted">${esc(empty)}</td></tr>`}</tbody></table>`;
}

/** cpu in cores, memory in bytes, from Kubernetes quantities. */
function quantity(q) {
  if (q === undefined || q === null) return 0;
  const m = String(q).match(/^([0-9.]+)([a-zA-Z]*)$/);
  if (!m) return 0;
  const units = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(m[1]) * (units[m[2]] ?? 1);
}

const phaseOf = (pod) => (pod.metadata.deletionTimestamp ? 'Terminating' : pod.status?.phase ?? 'Pending');
const ready = (o) => o.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

function requests(pods) {
  let cpu = 0, memory = 0;
  for (const p of pods) for (const c of p.spec?.containers ?? []) { cpu += quantity(c.resources?.requests?.cpu); memory += quantity(c.resources?.requests?.memory); }
  return { cpu, memory };
}

function bar(label, used, total, format) {
  const pct = total ? Math.min(100, (used / total) * 100) : 0;
  return `<div class="muted">${label} ${format(used)} / ${format(total)}</div><div class="bar"><span style="width:${pct.toFixed(1)}%"></span></div>`;
}

function tiles(pods) {
  return `<div class="tiles">${pods
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((p) => `<a class="tile" style="background:var(--${phaseOf(p)})" data-pod="${esc(p.metadata.namespace)}/${esc(p.metadata.name)}" title="${esc(p.metadata.namespace)}/${esc(p.metadata.name)}: ${phaseOf(p)}" href="#object/Pod/${p.metadata.namespace}/${p.metadata.name}"></a>`)
    .join('')}</div>`;
}

export function renderNodes(cluster) {
  const pods = cluster.objects('Pod');
  const byNode = new Map();
  for (const p of pods) { const n = p.spec?.nodeName ?? ''; byNode.set(n, [...(byNode.get(n) ?? []), p]); }
  const cores = (n) => `${n.toFixed(2)} cpu`;
  const gib = (n) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
  const cards = cluster.objects('Node').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((node) => {
    const mine = byNode.get(node.metadata.name) ?? [];
    const used = requests(mine);
    const alloc = node.status?.allocatable ?? {};
    return `<div class="card node" data-node="${esc(node.metadata.name)}"><h3>${link('Node', node)}<span class="badge ${ready(node) ? 'ok' : 'bad'}">${ready(node) ? 'Ready' : 'NotReady'}</span></h3>
      ${bar('requests', used.cpu, quantity(alloc.cpu), cores)}${bar('memory', used.memory, quantity(alloc.memory), gib)}
      <div class="muted">${mine.length} / ${alloc.pods ?? '?'} pods${node.spec?.unschedulable ? ' · cordoned' : ''}</div>${tiles(mine)}</div>`;
  });
  const pending = byNode.get('') ?? [];
  if (pending.length) cards.push(`<div class="card node" data-node=""><h3>Unscheduled<span class="badge">${pending.length}</span></h3>${tiles(pending)}</div>`);
  return `<div class="grid">${cards.join('') || '<p class="muted">No nodes.</p>'}</div>`;
}

export function renderWorkloads(cluster) {
  const deployments = cluster.objects('Deployment').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const rows = deployments.map((d) => {
    const s = d.status ?? {};
    const want = d.spec?.replicas ?? 1;
    const pct = want ? Math.round(((s.updatedReplicas ?? 0) / want) * 100) : 100;
    return { attrs: ` data-deployment="${esc(d.metadata.name)}"`, cells: [esc(d.metadata.namespace), link('Deployment', d), { html: want, cls: 'desired' }, { html: s.readyReplicas ?? 0, cls: 'ready' }, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, `<div class="bar"><span style="width:${pct}%"></span></div>`] };
  });
  const sets = cluster.objects('ReplicaSet').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((r) =>
    [esc(r.metadata.namespace), link('ReplicaSet', r), r.spec?.replicas ?? 1, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, esc(r.metadata.ownerReferences?.find((o) => o.controller)?.name ?? '')]);
  return `<h2>Deployments</h2>${table(['Namespace', 'Name', 'Desired', 'Ready', 'Up-to-date', 'Available', 'Rollout'], rows)}
    <h2>ReplicaSets</h2>${table(['Namespace', 'Name', 'Desired', 'Current', 'Ready', 'Owner'], sets)}
    ${workloadTable(cluster, 'DaemonSet', 'DaemonSets', ['Desired', 'Current', 'Ready', 'Up-to-date', 'Available'], (s) => [s.desiredNumberScheduled, s.currentNumberScheduled, s.numberReady, s.updatedNumberScheduled, s.numberAvailable])}
    ${workloadTable(cluster, 'StatefulSet', 'StatefulSets', ['Ready', 'Current revision', 'Update revision'], (s, o) => [`${s.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`, s.currentRevision ?? '', s.updateRevision ?? ''])}
    ${workloadTable(cluster, 'Job', 'Jobs', ['Status', 'Completions', 'Active', 'Failed'], (s, o) => [jobStatus(s), `${s.succeeded ?? 0}/${o.spec?.completions ?? 1}`, s.active, s.failed])}`;
}

/** Complete, Failed, Suspended or Running, from a Job's conditions (kubectl's STATUS column). */
function jobStatus(s) {
  const on = (type) => (s.conditions ?? []).some((c) => c.type === type && c.status === 'True');
  return on('Complete') ? 'Complete' : on('Failed') ? 'Failed' : on('Suspended') ? 'Suspended' : 'Running';
}

/** A table of one workload kind: namespace, name and the cells `cells(status, object)` gives. */
function workloadTable(cluster, kind, title, headers, cells) {
  const rows = cluster.objects(kind).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((o) => ({
    attrs: ` data-${kind.toLowerCase()}="${esc(o.metadata.namespace)}/${esc(o.metadata.name)}"`,
    cells: [esc(o.metadata.namespace), link(kind, o), ...cells(o.status ?? {}, o).map((v) => esc(String(v ?? 0)))],
  }));
  return `<h2>${title}</h2>${table(['Namespace', 'Name', ...headers], rows)}`;
}

export function renderServices(cluster) {
  const rows = cluster.objects('Service').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((s) => {
    const ep = cluster.get('Endpoints', s.metadata.namespace, s.metadata.name);
    const addresses = (ep?.subsets ?? []).flatMap((sub) => (sub.addresses ?? []).flatMap((a) => (sub.ports ?? [{}]).map((p) => `${a.ip}${p.port ? `:${p.port}` : ''}`)));
    const ports = (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
    return [esc(s.metadata.namespace), link('Service', s), esc(s.spec?.type), esc(s.spec?.clusterIP), esc(ports), esc(addresses.join(', ') || '<none>')];
  });
  return table(['Namespace', 'Name', 'Type', 'Cluster IP', 'Ports', 'Endpoints'], rows);
}

export function renderConfig(cluster) {
  const byName = (a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
  const maps = cluster.objects('ConfigMap').sort(byName).map((c) => {
    const keys = [...Object.keys(c.data ?? {}), ...Object.keys(c.binaryData ?? {})];
    return `<tr data-configmap="${esc(c.metadata.name)}"><td>${esc(c.metadata.namespace)}</td><td>${link('ConfigMap', c)}</td><td>${esc(keys.join(', ') || '<none>')}</td></tr>`;
  });
  // Secrets by name and type only: their data is never fetched.
  const secrets = cluster.objects('Secret').sort(byName).map((s) => `<tr data-secret="${esc(s.metadata.name)}"><td>${esc(s.metadata.namespace)}</td><td>${esc(s.metadata.name)}</td><td>${esc(s.type)}</td></tr>`);
  return `<h2>ConfigMaps</h2><table><tr><th>Namespace</th><th>Name</th><th>Keys</th></tr>${maps.join('') || '<tr><td colspan="3" class="muted">None.</td></tr>'}</table>
    <h2>Secrets</h2><table><tr><th>Namespace</th><th>Name</th><th>Type</th></tr>${secrets.join('') || '<tr><td colspan="3" class="muted">None.</td></tr>'}</table>`;
}

/** Node heartbeats: a node agent renewing its Lease every few seconds. */
const isHeartbeat = (e) => e.kind === 'Lease' && e.namespace === 'kube-node-lease';

export function renderLog(entries, filter, showHeartbeats) {
  const f = filter.toLowerCase();
  const shown = entries
    .filter((e) => showHeartbeats || !isHeartbeat(e))
    .filter((e) => !f || `${e.actor} ${e.verb} ${e.kind} ${e.namespace ?? ''}/${e.name}`.toLowerCase().includes(f))
    .slice(-200).reverse();
  const hidden = showHeartbeats ? 0 : entries.filter(isHeartbeat).length;
  return `<p class="feed-controls"><input id="feed-filter" type="text" placeholder="filter: actor, verb, kind, name" value="${esc(filter)}">
    <label><input id="feed-heartbeats" type="checkbox"${showHeartbeats ? ' checked' : ''}> node heartbeats${hidden ? ` (${hidden} hidden)` : ''}</label></p>
    <div class="feed">${table(['Revision', 'Time', 'Actor', 'Verb', 'Object'], shown.map((e) => [String(e.revision), esc(e.ts), esc(e.actor), `${esc(e.verb)} ${esc(e.type)}`, `${esc(e.kind)} ${esc(e.namespace ? `${e.namespace}/` : '')}${esc(e.name)}`]), 'No events yet.')}</div>`;
}

/** Lines shown per version before "N more". */
const CHANGES_SHOWN = 12;

function versionChanges(v, previous) {
  if (!previous || previous.uid !== v.uid) return v.type === 'ADDED' ? '<div class="muted">created</div>' : '';
  const lines = patchLines(v.patch, previous.object);
  if (lines.length === 0) return '<div class="muted">no change</div>';
  const item = (l) => `<li class="${l[0] === '+' ? 'add' : l[0] === '-' ? 'remove' : 'replace'}">${esc(l)}</li>`;
  // Controllers' status writes are most of a workload's history: one line each, opened on demand.
  if (v.verb === 'updateStatus') return `<details class="status-changes"><summary>${lines.length} status change${lines.length === 1 ? '' : 's'}</summary><ul class="changes">${lines.map(item).join('')}</ul></details>`;
  const first = lines.slice(0, CHANGES_SHOWN).map(item).join('');
  const rest = lines.slice(CHANGES_SHOWN);
  return `<ul class="changes">${first}</ul>${rest.length ? `<details><summary>${rest.length} more</summary><ul class="changes">${rest.map(item).join('')}</ul></details>` : ''}`;
}

/** An object's Events, newest last, with kubectl describe's columns. */
function eventsTable(events) {
  const seen = (e) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  const rows = [...events].sort((a, b) => String(seen(a)).localeCompare(String(seen(b)))).map((e) => [
    esc(e.type ?? ''), esc(e.reason ?? ''), esc(`${seen(e) ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`), esc(e.source?.component ?? e.reportingComponent ?? ''), esc(e.message ?? ''),
  ]);
  return table(['Type', 'Reason', 'Last seen', 'From', 'Message'], rows, 'No events.');
}

export function renderObject(object, history, events = []) {
  if (!object) return '<p class="muted">Not found at this revision.</p>';
  const versions = history.map((v, i) =>
    `<li><div class="version"><b>revision ${v.revision}</b> <span class="muted">${esc(v.ts)}</span> ${esc(v.actor)} · ${esc(v.verb)} ${esc(v.type)}</div>${versionChanges(v, history[i - 1])}</li>`).join('');
  return `<h2>${esc(object.kind)} ${esc(object.metadata.namespace ? `${object.metadata.namespace}/` : '')}${esc(object.metadata.name)}</h2>
    <pre class="manifest">${esc(toYaml(object))}</pre><h3>Events</h3><div class="events">${eventsTable(events)}</div><h3>History</h3><ol class="history">${versions}</ol>`;
}
