/**
 * The mutations of one kind: create, update, patch, updateStatus, delete, each one store write
 * (verbs/object-writes.ts, verbs/patch.ts), so several in one document share a commit
 * (shared-commit.ts); not for RBAC kinds, whose writes change what the next field may do.
 */
import type { KObject, KindDef } from '../../../resources/kind.js';
import type { FieldValidation } from '../../../resources/validate-object.js';
import type { PatchType } from '../../../resources/patch/patch-object.js';
import type { ApiContext } from '../../context.js';
import type { PropagationPolicy } from '../../verbs/delete.js';
import { createObject, deleteObject, updateObject, updateObjectStatus } from '../../verbs/object-writes.js';
import { patch } from '../../verbs/patch.js';
import type { WriteTarget as Target } from '../../verbs/write-existing.js';
import { RBAC_KINDS } from '../../auth/rbac-index.js';
import { oneWrite } from '../shared-commit.js';

interface WriteArgs {
  input: unknown;
  requestId?: string | null;
  fieldValidation?: FieldValidation | null;
}

export function writeResolvers(kind: KindDef) {
  const k = kind.kind;
  const sharesCommit = !RBAC_KINDS.has(k);
  const mark = <F extends (...args: any[]) => unknown>(resolve: F) => oneWrite(resolve, sharesCommit);
  return {
    [`create${k}`]: mark(
      (_: unknown, args: WriteArgs, ctx: ApiContext): Promise<KObject> =>
        createObject(ctx, kind, args.input, { requestId: args.requestId, path: 'input', fieldValidation: args.fieldValidation }),
    ),

    [`update${k}`]: mark(
      (_: unknown, args: WriteArgs, ctx: ApiContext): Promise<KObject> =>
        updateObject(ctx, kind, args.input, { requestId: args.requestId, path: 'input', fieldValidation: args.fieldValidation }),
    ),

    [`patch${k}`]: mark(
      async (_: unknown, args: Target & { patch: unknown; type?: PatchType | null; fieldValidation?: FieldValidation | null }, ctx: ApiContext): Promise<KObject> => {
        const { object, warnings } = await patch(ctx, kind, args, args.type ?? 'MERGE', args.patch, 'patch', args);
        ctx.warnings.push(...warnings);
        return object;
      },
    ),

    [`update${k}Status`]: mark(
      (_: unknown, args: Target & { status: unknown }, ctx: ApiContext): Promise<KObject> =>
        updateObjectStatus(ctx, kind, args, () => args.status, { path: 'status' }),
    ),

    [`delete${k}`]: mark(
      (_: unknown, args: Target & { propagationPolicy?: PropagationPolicy | null; gracePeriodSeconds?: number | null }, ctx: ApiContext): Promise<KObject> =>
        deleteObject(ctx, kind, args),
    ),
  };
}
