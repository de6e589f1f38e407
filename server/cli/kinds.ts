/** Kinds as kubectl names them: by kind, plural or short name (`po`, `deploy`), optionally with the group (`deployments.apps`); output names (`deployment.apps/shop`). */
import type { KindDef } from '../resources/kind.js';
import { kindByName, kinds } from '../resources/registry.js';
import { CliError } from './cli-error.js';
import { closestName } from '../resources/closest-name.js';

/** The API group of a kind: '' for the core group (`v1`), `apps` for `apps/v1`. */
export function groupOf(kind: KindDef): string {
  const slash = kind.apiVersion.indexOf('/');
  return slash < 0 ? '' : kind.apiVersion.slice(0, slash);
}

const withGroup = (name: string, kind: KindDef) => (groupOf(kind) ? `${name}.${groupOf(kind)}` : name);

/** `deployment.apps`, `pod`: how kubectl prefixes object names in its messages and `-o name`. */
export const qualifiedKind = (kind: KindDef): string => withGroup(kind.kind.toLowerCase(), kind);

/** `deployments.apps`, `pods`: how kubectl names a resource in NotFound and AlreadyExists errors. */
export const qualifiedResource = (kind: KindDef): string => withGroup(kind.resource, kind);

/** `deployment.apps/shop`. */
export const objectRef = (kind: KindDef, name: string): string => `${qualifiedKind(kind)}/${name}`;

const byAlias = new Map<string, KindDef>();
for (const kind of kinds) {
  const names = [kind.kind.toLowerCase(), kind.resource, ...kind.shortNames];
  for (const name of names) {
    byAlias.set(name, kind);
    if (groupOf(kind)) byAlias.set(`${name}.${groupOf(kind)}`, kind);
  }
}

/** kubectl's category `all`: the workloads and services a user looks at first, in kubectl's order. */
const ALL = ['Pod', 'Service', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet', 'Job'];

export function findKind(name: string): KindDef | undefined {
  return byAlias.get(name.toLowerCase());
}

/** The resource a mistyped name most likely meant (closest-name.ts). */
export function closestKind(name: string): KindDef | undefined {
  const alias = closestName(name, byAlias.keys());
  return alias === undefined ? undefined : byAlias.get(alias);
}

export function resolveKind(name: string): KindDef {
  const kind = findKind(name);
  if (kind) return kind;
  const guess = closestKind(name);
  const hint = guess ? `; did you mean "${qualifiedResource(guess)}"?` : '';
  throw new CliError(`the server doesn't have a resource type "${name}"${hint} (kq api-resources lists them)`);
}

/** `pods,svc` or `all` to the kinds they name, in order, without repeats. */
export function resolveKindList(spec: string): KindDef[] {
  const names = spec.split(',').filter(Boolean);
  const out: KindDef[] = [];
  for (const name of names) {
    const found = name.toLowerCase() === 'all' ? ALL.flatMap((k) => kindByName(k) ?? []) : [resolveKind(name)];
    for (const kind of found) if (!out.includes(kind)) out.push(kind);
  }
  if (out.length === 0) throw new CliError('you must specify the type of resource to get (kq api-resources lists them)');
  return out;
}

/** The kind of a manifest (`kind: Deployment`), or undefined. */
export function kindOfManifest(kindName: unknown): KindDef | undefined {
  return typeof kindName === 'string' ? kindByName(kindName) : undefined;
}

export { kinds };
