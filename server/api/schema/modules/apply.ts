/** apply: kubectl's client-side apply of multi-document YAML, all or nothing (DESIGN §4). */
import type { KindDef } from '../../../resources/kind.js';
import type { ApiContext } from '../../context.js';
import { apply, type ApplyArgs } from '../../verbs/apply.js';
import type { SchemaModule } from '../module.js';

const SDL = `"""What apply did to one object."""
enum ApplyAction {
  created
  configured
  unchanged
}

type AppliedObject {
  kind: Kind!
  namespace: String
  name: String!
  action: ApplyAction!
  """The object's revision after the apply (unchanged: its current one)."""
  revision: Revision
}

type ApplyResult {
  """The head of the log after the apply (when every object is unchanged: the current head)."""
  revision: Revision!
  """One per document, in order."""
  objects: [AppliedObject!]!
  """Unknown fields kept verbatim, per document (manifests[1]: unknown field "spec.foo")."""
  warnings: [String!]!
}

extend type Mutation {
  """
  kubectl's client-side apply of multi-document YAML, in order, all or nothing. The manifest is kept in the
  annotation kubectl.kubernetes.io/last-applied-configuration; fields removed from it are removed, fields
  set by others survive. dryRun answers the same without writing.
  """
  apply(manifests: String!, dryRun: Boolean, requestId: String, fieldValidation: FieldValidation): ApplyResult!
}`;

export const applyModule: SchemaModule = {
  name: 'apply',
  typeDefs: () => SDL,
  resolvers(kinds: readonly KindDef[]) {
    const byName = new Map(kinds.map((k) => [k.kind, k]));
    return {
      Mutation: {
        apply: (_: unknown, args: ApplyArgs, ctx: ApiContext) => apply(ctx, (name) => byName.get(name), args),
      },
    };
  },
};
