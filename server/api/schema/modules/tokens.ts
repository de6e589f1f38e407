/**
 * Credentials: tokens for service accounts (RBAC: create serviceaccounts/token, as Kubernetes'
 * TokenRequest) and for node agents (create nodes/token: the node bootstrapper's right), their
 * revocation (delete on the same subresource), and the audit record of both (verb `audit` on
 * kubeql.io/log). A token is shown once; the server keeps only its hash. Every token expires:
 * expirationSeconds is at least 10 minutes and at most the server's maximum (48 h by default,
 * as a bound ServiceAccount token; a longer request is cut to it, as Kubernetes does), and
 * defaults to the maximum. A ServiceAccount's tokens end with the account (deleted, or re-created
 * with a new uid). A node's tokens are not bound to its Node object: as a kubelet's credentials,
 * they outlive a deleted Node, so the agent can register it again; revoke them to end them.
 */
import { KubeqlError, badInput } from '../../../errors.js';
import type { KindDef } from '../../../resources/kind.js';
import { dns1123SubdomainErrors } from '../../../resources/validation/names.js';
import { AUDIT } from '../../audit/access.js';
import { attributesFor } from '../../auth/attributes.js';
import { nodeIdentity, serviceAccountIdentity, type Identity } from '../../auth/identity.js';
import type { ApiContext } from '../../context.js';
import type { SchemaModule } from '../module.js';
import type { CredentialEvent } from '../../../store/records.js';

/** Kubernetes' minimum for a TokenRequest. */
const MIN_EXPIRATION_SECONDS = 600;
/** The default maximum lifetime of an issued token (ApiServerOptions.maxTokenExpirationSeconds). */
export const DEFAULT_MAX_TOKEN_EXPIRATION_SECONDS = 48 * 3600;
const MAX_AUDIT_PAGE = 1000;

const typeDefs = () => `
"""A bearer token, shown once: the server keeps only its hash. id names it (to revoke it, and in the audit record)."""
type IssuedToken {
  token: String!
  id: String!
  identity: String!
  groups: [String!]!
  expiresAt: DateTime!
}

"""A token, by its id (never the token itself)."""
type TokenInfo {
  id: String!
  identity: String!
  issuedBy: String
  issuedAt: DateTime!
  expiresAt: DateTime
  revokedAt: DateTime
  revokedBy: String
}

"""One entry of the credentials' audit record: a token issued or revoked (never the token or its hash)."""
type CredentialEvent {
  id: Int!
  ts: DateTime!
  """Who issued or revoked it."""
  actor: String!
  """issue or revoke."""
  action: String!
  tokenId: String!
  """The identity the token authenticates as."""
  identity: String!
  expiresAt: DateTime
}

extend type Query {
  """The credentials' audit record, oldest first, after the entry afterId (default 0); optionally of one identity. RBAC: audit on kubeql.io/log."""
  credentialEvents(identity: String, afterId: Int, first: Int): [CredentialEvent!]!
}

extend type Mutation {
  """A token for a ServiceAccount (identity system:serviceaccount:<namespace>:<name>), valid while that account exists. RBAC: create serviceaccounts/token. expirationSeconds: at least 600, at most the server's maximum (48 h by default), which is also the default."""
  createServiceAccountToken(namespace: String!, name: String!, expirationSeconds: Int): IssuedToken!
  """A token for a node agent (identity system:node:<nodeName>). RBAC: create nodes/token. expirationSeconds as for service accounts."""
  createNodeToken(nodeName: String!, expirationSeconds: Int): IssuedToken!
  """Revokes a token of a ServiceAccount, by id. RBAC: delete serviceaccounts/token."""
  revokeServiceAccountToken(namespace: String!, name: String!, id: String!): TokenInfo!
  """Revokes a token of a node, by id. RBAC: delete nodes/token."""
  revokeNodeToken(nodeName: String!, id: String!): TokenInfo!
}`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

function lifetime(ctx: ApiContext, expirationSeconds: number | null | undefined): number {
  const max = ctx.tokens.maxExpirationSeconds;
  if (expirationSeconds === undefined || expirationSeconds === null) return max;
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) throw badInput('expirationSeconds', 'may not specify a duration less than 10 minutes');
  return Math.min(expirationSeconds, max);
}

function issue(ctx: ApiContext, identity: Identity, expirationSeconds: number | null | undefined, boundTo?: { namespace: string; name: string; uid: string }) {
  const issued = ctx.tokens.issue(identity, { ttlSeconds: lifetime(ctx, expirationSeconds), issuedBy: ctx.actor, boundTo });
  return { token: issued.token, id: issued.tokenId, identity: identity.name, groups: identity.groups, expiresAt: iso(issued.expiresAt) };
}

function revoke(ctx: ApiContext, identity: Identity, id: string) {
  const found = id.length <= 64 ? ctx.store.tokens.byId(id) : undefined;
  if (!found || found.identity !== identity.name) throw new KubeqlError('NOT_FOUND', `no token ${JSON.stringify(id)} of ${identity.name}`, { field: 'id' });
  ctx.store.tokens.revoke(id, ctx.actor, Date.now());
  const after = ctx.store.tokens.byId(id)!;
  return {
    id,
    identity: after.identity,
    issuedBy: after.issuedBy,
    issuedAt: iso(after.createdAt),
    expiresAt: iso(after.expiresAt),
    revokedAt: iso(after.revokedAt),
    revokedBy: after.revokedBy,
  };
}

function resolvers(kinds: readonly KindDef[]) {
  const serviceAccount = kinds.find((k) => k.kind === 'ServiceAccount')!;
  const node = kinds.find((k) => k.kind === 'Node')!;
  const account = (ctx: ApiContext, namespace: string, name: string) => {
    const found = ctx.store.get('ServiceAccount', namespace, name);
    if (!found || found.metadata.deletionTimestamp)
      throw new KubeqlError('NOT_FOUND', `serviceaccounts "${name}" not found in namespace "${namespace}"`, { kind: 'ServiceAccount', name });
    return found;
  };
  const nodeName = (name: string) => {
    const errors = dns1123SubdomainErrors(name);
    if (errors.length) throw badInput('nodeName', errors[0]);
  };
  return {
    Query: {
      credentialEvents(_: unknown, args: { identity?: string | null; afterId?: number | null; first?: number | null }, ctx: ApiContext): unknown[] {
        ctx.guard.check(AUDIT);
        const first = args.first ?? 100;
        if (first < 0 || first > MAX_AUDIT_PAGE) throw badInput('first', `must be between 0 and ${MAX_AUDIT_PAGE}`);
        return ctx.store.tokens
          .events({ identity: args.identity ?? undefined, afterId: Math.max(0, args.afterId ?? 0), limit: first })
          .map((e: CredentialEvent) => ({ ...e, ts: iso(e.ts), expiresAt: iso(e.expiresAt) }));
      },
    },
    Mutation: {
      createServiceAccountToken(_: unknown, args: { namespace: string; name: string; expirationSeconds?: number | null }, ctx: ApiContext) {
        ctx.guard.check(attributesFor(serviceAccount, 'create', { ...args, subresource: 'token' }));
        const sa = account(ctx, args.namespace, args.name);
        return issue(ctx, serviceAccountIdentity(args.namespace, args.name), args.expirationSeconds, { namespace: args.namespace, name: args.name, uid: sa.metadata.uid });
      },
      createNodeToken(_: unknown, args: { nodeName: string; expirationSeconds?: number | null }, ctx: ApiContext) {
        ctx.guard.check(attributesFor(node, 'create', { name: args.nodeName, subresource: 'token' }));
        nodeName(args.nodeName);
        return issue(ctx, nodeIdentity(args.nodeName), args.expirationSeconds);
      },
      revokeServiceAccountToken(_: unknown, args: { namespace: string; name: string; id: string }, ctx: ApiContext) {
        ctx.guard.check(attributesFor(serviceAccount, 'delete', { ...args, subresource: 'token' }));
        return revoke(ctx, serviceAccountIdentity(args.namespace, args.name), args.id);
      },
      revokeNodeToken(_: unknown, args: { nodeName: string; id: string }, ctx: ApiContext) {
        ctx.guard.check(attributesFor(node, 'delete', { name: args.nodeName, subresource: 'token' }));
        nodeName(args.nodeName);
        return revoke(ctx, nodeIdentity(args.nodeName), args.id);
      },
    },
  };
}

export const tokensModule: SchemaModule = { name: 'tokens', typeDefs, resolvers };
