// The dashboard: sign in with a token, then views kept live by subscriptions, and a time slider.
import { createCluster } from './cluster.js';
import { createClient } from './graphql.js';
import { renderConfig, renderLog, renderNodes, renderObject, renderServices, renderWorkloads } from './views.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'kubeql.token';
let client, cluster, feed = [], feedFilter = '', showHeartbeats = false, stopFeed, objectView;
let scheduled = false;

function route() {
  const [view, ...rest] = (location.hash.slice(1) || 'nodes').split('/');
  return { view, rest };
}

function render() {
  scheduled = false;
  if (!cluster) return;
  const { view, rest } = route();
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === view);
  const slider = $('slider');
  const head = cluster.head();
  slider.max = String(Math.max(1, head));
  if (cluster.revision() === null) slider.value = String(head);
  $('at').textContent = cluster.revision() === null ? `live · ${head}` : `at ${cluster.revision()}`;
  $('timebar').classList.toggle('past', cluster.revision() !== null);
  $('live').disabled = cluster.revision() === null;
  const errors = cluster.errors.length ? `<p class="error">${cluster.errors.join('<br>')}</p>` : '';
  let html;
  if (view === 'workloads') html = renderWorkloads(cluster);
  else if (view === 'services') html = renderServices(cluster);
  else if (view === 'config') html = renderConfig(cluster);
  else if (view === 'log') html = renderLog(feed, feedFilter, showHeartbeats);
  else if (view === 'object') html = objectView ? renderObject(objectView.object, objectView.history, objectView.events) : '<p class="muted">Loading…</p>';
  else html = renderNodes(cluster);
  const focused = document.activeElement?.id;
  $('view').innerHTML = errors + html;
  if (focused === 'feed-filter') { const f = $('feed-filter'); f.focus(); f.setSelectionRange(f.value.length, f.value.length); }
}

const schedule = () => { if (!scheduled) { scheduled = true; requestAnimationFrame(render); } };

async function loadObject() {
  const { view, rest } = route();
  if (view !== 'object') return;
  const [kind, namespace, name] = rest;
  objectView = undefined;
  schedule();
  const data = await client.query(`query($k: Kind!, $ns: String, $n: String!) { history(kind: $k, namespace: $ns, name: $n, first: 100) { edges { node { revision ts actor verb type uid object patch } } } }`, { k: kind, ns: namespace || null, n: name }).catch(() => ({ history: { edges: [] } }));
  const object = cluster.get(kind, namespace, name) ?? null;
  // Its Events, as kubectl describe shows them (an identity that may not list events sees none).
  const selector = `involvedObject.kind=${kind},involvedObject.name=${name}`;
  const events = await client.query(`query($ns: String, $fs: String) { events(namespace: $ns, fieldSelector: $fs, first: 200) { edges { node { manifest } } } }`, { ns: namespace || null, fs: selector })
    .then((d) => d.events.edges.map((e) => e.node.manifest), () => []);
  objectView = { object, history: data.history.edges.map((e) => e.node), events };
  schedule();
}

/** The Log tab opens on the recent past: the log from this many revisions back, then live. */
const FEED_BACKLOG = 500;
const FEED_KEEP = 2000;

async function startFeed() {
  stopFeed?.();
  feed = [];
  const { revision } = await client.query('{ revision }');
  subscribeFeed(Math.max(0, Number(revision) - FEED_BACKLOG));
}

function subscribeFeed(from, retried = false) {
  const onExpired = (e) => {
    // The backlog was compacted away: start at the oldest revision held, else with live events.
    const floor = e?.extensions?.floor;
    if (client) subscribeFeed(!retried && typeof floor === 'number' ? floor : null, true);
  };
  const query = `subscription($from: Revision) { log(fromRevision: $from) { revision ts actor verb type kind namespace name } }`;
  stopFeed = client.subscribe(query, { from }, (p) => {
    if (p.data?.log) { feed.push(p.data.log); if (feed.length > FEED_KEEP) feed.shift(); if (route().view === 'log') schedule(); }
    else if (p.errors?.[0]?.extensions?.code === 'EXPIRED') onExpired(p.errors[0]);
  }, (errors) => {
    if (errors?.[0]?.extensions?.code === 'EXPIRED') onExpired(errors[0]);
  });
}

async function signIn(token) {
  client = createClient(token);
  await client.query('{ revision }');
  localStorage.setItem(TOKEN_KEY, token);
  $('signin-error').textContent = '';
  $('token').value = '';
  $('signin').hidden = true;
  $('signout').hidden = false;
  $('timebar').hidden = false;
  cluster = createCluster(client, schedule);
  startFeed().catch((err) => cluster?.errors.push(`Log: ${err.message}`));
  loadObject();
  schedule();
}

/** GraphiQL (at /graphql) keeps its headers, the token among them, in local storage under these keys. */
const GRAPHIQL_KEYS = ['graphiql:headers', 'graphiql:tabState'];

function signOut() {
  localStorage.removeItem(TOKEN_KEY);
  for (const key of GRAPHIQL_KEYS) localStorage.removeItem(key);
  stopFeed?.();
  cluster?.close();
  client?.close();
  cluster = client = undefined;
  $('view').innerHTML = '';
  $('signin').hidden = false;
  $('signout').hidden = true;
  $('timebar').hidden = true;
}

$('signin').addEventListener('submit', (e) => {
  e.preventDefault();
  signIn($('token').value.trim()).catch((err) => ($('signin-error').textContent = `Sign-in failed: ${err.message}`));
});
$('signout').addEventListener('click', signOut);
$('slider').addEventListener('input', () => ($('at').textContent = `at ${$('slider').value}`));
$('slider').addEventListener('change', () => {
  const r = Number($('slider').value);
  if (r >= cluster.head()) cluster.backToLive();
  else cluster.travel(r).then(loadObject);
});
$('live').addEventListener('click', () => cluster.backToLive());
$('view').addEventListener('input', (e) => { if (e.target.id === 'feed-filter') { feedFilter = e.target.value; schedule(); } });
$('view').addEventListener('change', (e) => { if (e.target.id === 'feed-heartbeats') { showHeartbeats = e.target.checked; schedule(); } });
window.addEventListener('hashchange', () => { loadObject(); schedule(); });

const saved = localStorage.getItem(TOKEN_KEY);
if (saved) signIn(saved).catch(() => signOut());
else signOut();
