/** Who a request acts as: a user, a service account or a node, with its groups (DESIGN §5). */
export interface Identity {
  name: string;
  groups: string[];
}

export const ADMIN: Identity = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

export function serviceAccountIdentity(namespace: string, name: string): Identity {
  return { name: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] };
}

export function nodeIdentity(nodeName: string): Identity {
  return { name: `system:node:${nodeName}`, groups: ['system:nodes', 'system:authenticated'] };
}

/** The node an identity speaks for (`system:node:<name>` in group system:nodes), if any. */
export function nodeNameOf(identity: Identity): string | undefined {
  return identity.groups.includes('system:nodes') && identity.name.startsWith('system:node:') ? identity.name.slice('system:node:'.length) : undefined;
}

/** What kind of client an identity is, never who (a metric label): a node, a service account or a user. */
export type IdentityClass = 'node' | 'serviceaccount' | 'user';

export function identityClass(identity: Identity): IdentityClass {
  if (nodeNameOf(identity) !== undefined) return 'node';
  return identity.groups.includes('system:serviceaccounts') && identity.name.startsWith('system:serviceaccount:') ? 'serviceaccount' : 'user';
}
