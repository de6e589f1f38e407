/**
 * Server-side printing: `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` answers a meta/v1
 * Table with the columns Kubernetes' printers give each kind (server/resources/printing, the same
 * ones `kq get` prints); `-o wide` columns have priority 1. Rows carry the object as
 * PartialObjectMetadata (the default), whole (`includeObject=Object`), or not at all (`None`).
 */
import type { KObject, KindDef } from '../../resources/kind.js';
import { columnsFor } from '../../resources/printing/columns.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const DESCRIPTIONS: Record<string, string> = {
  Name: 'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  Age: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

/** The Table version an Accept header asks for first (v1 or v1beta1), if any. */
export function wantsTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',').slice(0, 16)) {
    const [type, ...rest] = part.split(';').map((p) => p.trim());
    if (type !== 'application/json') continue;
    const params = new Map(rest.map((p) => p.split('=') as [string, string]));
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      const v = params.get('v');
      if (v === 'v1' || v === 'v1beta1') return v;
    }
  }
  return undefined;
}

function columnDefinitions(kind: KindDef) {
  return [
    { name: 'Name', type: 'string', format: 'name', description: DESCRIPTIONS.Name, priority: 0 },
    ...columnsFor(kind, true).map((c) => ({
      name: c.name,
      type: 'string',
      format: '',
      description: DESCRIPTIONS[c.name] ?? `${c.name} of the ${kind.kind}.`,
      priority: c.wide ? 1 : 0,
    })),
  ];
}

function rowObject(object: KObject, include: IncludeObject, version: string) {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: object.metadata };
}

export function table(kind: KindDef, objects: readonly KObject[], options: { include: IncludeObject; version: string; resourceVersion?: string; continue?: string; remaining?: number }) {
  const now = Date.now();
  const columns = columnsFor(kind, true);
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: {
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.continue ? { continue: options.continue } : {}),
      ...(options.remaining ? { remainingItemCount: options.remaining } : {}),
    },
    columnDefinitions: columnDefinitions(kind),
    rows: objects.map((o) => {
      const object = rowObject(o, options.include, options.version);
      return { cells: [o.metadata.name, ...columns.map((c) => c.cell(o, now))], ...(object ? { object } : {}) };
    }),
  };
}
