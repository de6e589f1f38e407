/**
 * Credentials: tokens for service accounts (RBAC: create serviceaccounts/token, as Kubernetes'
 * TokenRequest) and for node agents (create nodes/token: the node bootstrapper's right). The token
 * is shown once; the server keeps only its hash.
 */
import { KubeqlError, badInput } from '../../../errors.js';
import type { KindDef } from '../../../resources/kind.js';
import { dns1123SubdomainErrors } from '../../../resources/validation/names.js';
import { attributesFor } from '../../auth/attributes.js';
import { nodeIdentity, serviceAccountIdentity, type Identity } from '../../auth/identity.js';
import type { ApiContext } from '../../context.js';
import type { SchemaModule } from '../module.js';

const typeDefs = () => `
"""A bearer token, shown once: the server keeps only its hash."""
type IssuedToken {
  token: String!
  identity: String!
  groups: [String!]!
  expiresAt: DateTime
}

extend type Mutation {
  """A token for a ServiceAccount (identity system:serviceaccount:<namespace>:<name>). RBAC: create serviceaccounts/token."""
  createServiceAccountToken(namespace: String!, name: String!, expirationSeconds: Int): IssuedToken!
  """A token for a node agent (identity system:node:<nodeName>). RBAC: create nodes/token."""
  createNodeToken(nodeName: String!, expirationSeconds: Int): IssuedToken!
}`;

function issue(ctx: ApiContext, identity: Identity, expirationSeconds: number | null | undefined) {
  if (expirationSeconds !== undefined && expirationSeconds !== null && expirationSeconds < 600)
    throw badInput('expirationSeconds', 'may not specify a duration less than 10 minutes');
  const token = ctx.tokens.issue(identity, expirationSeconds ?? undefined);
  const expiresAt = expirationSeconds ? new Date(Date.now() + expirationSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : null;
  return { token, identity: identity.name, groups: identity.groups, expiresAt };
}

function resolvers(kinds: readonly KindDef[]) {
  const serviceAccount = kinds.find((k) => k.kind === 'ServiceAccount')!;
  const node = kinds.find((k) => k.kind === 'Node')!;
  return {
    Mutation: {
      createServiceAccountToken(_: unknown, args: { namespace: string; name: string; expirationSeconds?: number | null }, ctx: ApiContext) {
        ctx.guard.check(attributesFor(serviceAccount, 'create', { ...args, subresource: 'token' }));
        if (!ctx.store.get('ServiceAccount', args.namespace, args.name))
          throw new KubeqlError('NOT_FOUND', `serviceaccounts "${args.name}" not found in namespace "${args.namespace}"`, { kind: 'ServiceAccount', name: args.name });
        return issue(ctx, serviceAccountIdentity(args.namespace, args.name), args.expirationSeconds);
      },
      createNodeToken(_: unknown, args: { nodeName: string; expirationSeconds?: number | null }, ctx: ApiContext) {
        ctx.guard.check(attributesFor(node, 'create', { name: args.nodeName, subresource: 'token' }));
        const errors = dns1123SubdomainErrors(args.nodeName);
        if (errors.length) throw badInput('nodeName', errors[0]);
        return issue(ctx, nodeIdentity(args.nodeName), args.expirationSeconds);
      },
    },
  };
}

export const tokensModule: SchemaModule = { name: 'tokens', typeDefs, resolvers };
