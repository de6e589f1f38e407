// An object's history as readable changes, one line per JSON Patch operation, as `kq history`
// prints them: `~ /spec/replicas: 2 → 3`, the old value read from the version before.

/** Fields that change on every write and say nothing. */
const NOISE = new Set(['/metadata/resourceVersion']);

function pointer(doc, path) {
  let at = doc;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object') return undefined;
    at = at[key];
  }
  return at;
}

const show = (v) => {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
};

export function patchLines(ops, previous) {
  return (ops ?? []).filter((o) => !NOISE.has(o.path)).map((o) => {
    switch (o.op) {
      case 'add': return `+ ${o.path}: ${show(o.value)}`;
      case 'remove': return `- ${o.path} (was ${show(pointer(previous, o.path))})`;
      case 'replace': return `~ ${o.path}: ${show(pointer(previous, o.path))} → ${show(o.value)}`;
      case 'move': case 'copy': return `> ${o.op} ${o.from} → ${o.path}`;
      default: return `? ${o.op} ${o.path}`;
    }
  });
}
