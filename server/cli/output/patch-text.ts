/** RFC 6902 operations as short diff lines (`~ /spec/replicas: 2 → 3`), the old value read from the previous version. */

export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

/** Fields that change on every write and say nothing. */
const NOISE = new Set(['/metadata/resourceVersion']);

function pointer(doc: unknown, path: string): unknown {
  let at = doc;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
};

export function patchLines(ops: PatchOp[], previous: unknown): string[] {
  return ops
    .filter((o) => !NOISE.has(o.path))
    .map((o) => {
      switch (o.op) {
        case 'add':
          return `+ ${o.path}: ${show(o.value)}`;
        case 'remove':
          return `- ${o.path} (was ${show(pointer(previous, o.path))})`;
        case 'replace':
          return `~ ${o.path}: ${show(pointer(previous, o.path))} → ${show(o.value)}`;
        case 'move':
        case 'copy':
          return `> ${o.op} ${o.from} → ${o.path}`;
        default:
          return `? ${o.op} ${o.path}`;
      }
    });
}
