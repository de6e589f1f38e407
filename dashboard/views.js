// The views: each renders from the cluster (live or at a past revision) into an element.
import { toYaml } from './yaml.js';

const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const link = (kind, o, text = o.metadata.name) => `<a class="obj" href="#object/${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}">${esc(text)}</a>`;

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
    return `<tr data-deployment="${esc(d.metadata.name)}"><td>${esc(d.metadata.namespace)}</td><td>${link('Deployment', d)}</td><td class="desired">${want}</td><td class="ready">${s.readyReplicas ?? 0}</td><td>${s.updatedReplicas ?? 0}</td><td>${s.availableReplicas ?? 0}</td><td><div class="bar"><span style="width:${pct}%"></span></div></td></tr>`;
  });
  const sets = cluster.objects('ReplicaSet').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((r) =>
    `<tr><td>${esc(r.metadata.namespace)}</td><td>${link('ReplicaSet', r)}</td><td>${r.spec?.replicas ?? 1}</td><td>${r.status?.replicas ?? 0}</td><td>${r.status?.readyReplicas ?? 0}</td><td>${esc(r.metadata.ownerReferences?.find((o) => o.controller)?.name ?? '')}</td></tr>`);
  return `<h2>Deployments</h2><table><tr><th>Namespace</th><th>Name</th><th>Desired</th><th>Ready</th><th>Up-to-date</th><th>Available</th><th>Rollout</th></tr>${rows.join('') || '<tr><td colspan="7" class="muted">None.</td></tr>'}</table>
    <h2>ReplicaSets</h2><table><tr><th>Namespace</th><th>Name</th><th>Desired</th><th>Current</th><th>Ready</th><th>Owner</th></tr>${sets.join('') || '<tr><td colspan="6" class="muted">None.</td></tr>'}</table>
    ${renderWorkloadTable(cluster, 'DaemonSet', 'DaemonSets', ['Desired', 'Current', 'Ready', 'Up-to-date', 'Available'], (s) => [s.desiredNumberScheduled, s.currentNumberScheduled, s.numberReady, s.updatedNumberScheduled, s.numberAvailable])}
    ${renderWorkloadTable(cluster, 'StatefulSet', 'StatefulSets', ['Ready', 'Current revision', 'Update revision'], (s, o) => [`${s.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`, s.currentRevision ?? '', s.updateRevision ?? ''])}
    ${renderWorkloadTable(cluster, 'Job', 'Jobs', ['Status', 'Completions', 'Active', 'Failed'], (s, o) => [jobStatus(s), `${s.succeeded ?? 0}/${o.spec?.completions ?? 1}`, s.active, s.failed])}`;
}

/** Complete, Failed, Suspended or Running, from a Job's conditions (kubectl's STATUS column). */
function jobStatus(s) {
  const on = (type) => (s.conditions ?? []).some((c) => c.type === type && c.status === 'True');
  return on('Complete') ? 'Complete' : on('Failed') ? 'Failed' : on('Suspended') ? 'Suspended' : 'Running';
}

/** A table of one workload kind: namespace, name and the cells `cells(status, object)` gives. */
function renderWorkloadTable(cluster, kind, title, headers, cells) {
  const rows = cluster.objects(kind).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((o) =>
    `<tr data-${kind.toLowerCase()}="${esc(o.metadata.namespace)}/${esc(o.metadata.name)}"><td>${esc(o.metadata.namespace)}</td><td>${link(kind, o)}</td>${cells(o.status ?? {}, o).map((v) => `<td>${esc(String(v ?? 0))}</td>`).join('')}</tr>`);
  return `<h2>${title}</h2><table><tr><th>Namespace</th><th>Name</th>${headers.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('') || `<tr><td colspan="${headers.length + 2}" class="muted">None.</td></tr>`}</table>`;
}

export function renderServices(cluster) {
  const rows = cluster.objects('Service').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((s) => {
    const ep = cluster.get('Endpoints', s.metadata.namespace, s.metadata.name);
    const addresses = (ep?.subsets ?? []).flatMap((sub) => (sub.addresses ?? []).flatMap((a) => (sub.ports ?? [{}]).map((p) => `${a.ip}${p.port ? `:${p.port}` : ''}`)));
    const ports = (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
    return `<tr><td>${esc(s.metadata.namespace)}</td><td>${link('Service', s)}</td><td>${esc(s.spec?.type)}</td><td>${esc(s.spec?.clusterIP)}</td><td>${esc(ports)}</td><td>${esc(addresses.join(', ') || '<none>')}</td></tr>`;
  });
  return `<table><tr><th>Namespace</th><th>Name</th><th>Type</th><th>Cluster IP</th><th>Ports</th><th>Endpoints</th></tr>${rows.join('') || '<tr><td colspan="6" class="muted">None.</td></tr>'}</table>`;
}

export function renderLog(entries, filter) {
  const f = filter.toLowerCase();
  const shown = entries.filter((e) => !f || `${e.actor} ${e.verb} ${e.kind} ${e.namespace ?? ''}/${e.name}`.toLowerCase().includes(f)).slice(-200).reverse();
  return `<p><input id="feed-filter" type="text" placeholder="filter: actor, verb, kind, name" value="${esc(filter)}"></p>
    <table class="feed"><tr><th>Revision</th><th>Time</th><th>Actor</th><th>Verb</th><th>Object</th></tr>${shown
      .map((e) => `<tr><td>${e.revision}</td><td>${esc(e.ts)}</td><td>${esc(e.actor)}</td><td>${esc(e.verb)} ${esc(e.type)}</td><td>${esc(e.kind)} ${esc(e.namespace ? `${e.namespace}/` : '')}${esc(e.name)}</td></tr>`)
      .join('')}</table>`;
}

export function renderObject(object, history) {
  if (!object) return '<p class="muted">Not found at this revision.</p>';
  const versions = history.map((v) => `<li><b>${v.revision}</b> ${esc(v.ts)} ${esc(v.actor)} ${esc(v.verb)} ${esc(v.type)}<pre>${esc(JSON.stringify(v.patch, null, 1))}</pre></li>`).join('');
  return `<h2>${esc(object.kind)} ${esc(object.metadata.namespace ? `${object.metadata.namespace}/` : '')}${esc(object.metadata.name)}</h2>
    <pre class="manifest">${esc(toYaml(object))}</pre><h3>History</h3><ol class="history">${versions}</ol>`;
}
