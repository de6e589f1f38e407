// The cluster as the page sees it: one watch per kind keeps a live cache (synthetic ADDED, then
// changes); the time slider swaps in the same kinds listed at a past revision.
export const KINDS = [
  { kind: 'Node', list: 'nodes' },
  { kind: 'Pod', list: 'pods' },
  { kind: 'Deployment', list: 'deployments' },
  { kind: 'ReplicaSet', list: 'replicaSets' },
  { kind: 'DaemonSet', list: 'daemonSets' },
  { kind: 'StatefulSet', list: 'statefulSets' },
  { kind: 'Job', list: 'jobs' },
  { kind: 'Service', list: 'services' },
  { kind: 'Endpoints', list: 'endpointsList' },
  { kind: 'ConfigMap', list: 'configMaps' },
  // Names only: the page never asks for a Secret's data.
  { kind: 'Secret', list: 'secrets', fields: 'kind metadata { name namespace uid creationTimestamp } type' },
];

const selection = (k) => k.fields ?? 'manifest';
const objectOf = (k, node) => (k.fields ? node : node.manifest);

const keyOf = (o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function createCluster(client, onChange) {
  const live = new Map(KINDS.map((k) => [k.kind, new Map()]));
  let past = null;
  let pastRevision = null;
  let head = 0;
  const errors = [];
  const stops = [];

  for (const k of KINDS) {
    const { kind } = k;
    const query = `subscription { watch(kind: ${kind}) { type revision object { ... on ${kind} { ${selection(k)} } } } }`;
    stops.push(
      client.subscribe(query, {}, (payload) => {
        const w = payload.data?.watch;
        if (!w) return;
        if (w.type === 'DELETED') live.get(kind).delete(keyOf(objectOf(k, w.object)));
        else if (w.type !== 'BOOKMARK') live.get(kind).set(keyOf(objectOf(k, w.object)), objectOf(k, w.object));
        head = Math.max(head, w.revision);
        onChange();
      }, (errs) => { errors.push(`${kind}: ${errs[0]?.message}`); onChange(); }),
    );
  }

  async function listAt(k, revision) {
    const items = [];
    let after = null;
    do {
      const data = await client.query(`query($r: Revision, $after: String) { l: ${k.list}(atRevision: $r, first: 1000, after: $after) { edges { node { ${selection(k)} } } pageInfo { hasNextPage endCursor } } }`, { r: revision, after });
      items.push(...data.l.edges.map((e) => objectOf(k, e.node)));
      after = data.l.pageInfo.hasNextPage ? data.l.pageInfo.endCursor : null;
    } while (after);
    return new Map(items.map((o) => [keyOf(o), o]));
  }

  return {
    head: () => head,
    revision: () => pastRevision,
    errors,
    objects: (kind) => [...(past ?? live).get(kind).values()],
    get: (kind, namespace, name) => (past ?? live).get(kind).get(`${namespace ?? ''}/${name}`),
    async travel(revision) {
      const lists = await Promise.all(KINDS.map((k) => listAt(k, revision)));
      past = new Map(KINDS.map(({ kind }, i) => [kind, lists[i]]));
      pastRevision = revision;
      onChange();
    },
    backToLive() {
      past = null;
      pastRevision = null;
      onChange();
    },
    close: () => stops.forEach((stop) => stop()),
  };
}
