/** The mutations of one kind: create, update, patch, updateStatus, delete, each one store write (verbs/object-writes.ts, verbs/patch.ts). */
import type { KObject, KindDef } from '../../../resources/kind.js';
import type { PatchType } from '../../../resources/patch/patch-object.js';
import type { ApiContext } from '../../context.js';
import type { PropagationPolicy } from '../../verbs/delete.js';
import { createObject, deleteObject, updateObject, updateObjectStatus } from '../../verbs/object-writes.js';
import { patch } from '../../verbs/patch.js';
import type { WriteTarget as Target } from '../../verbs/write-existing.js';

export function writeResolvers(kind: KindDef) {
  const k = kind.kind;
  return {
    [`create${k}`]: (_: unknown, args: { input: unknown; requestId?: string | null }, ctx: ApiContext): Promise<KObject> =>
      createObject(ctx, kind, args.input, { requestId: args.requestId, path: 'input' }),

    [`update${k}`]: (_: unknown, args: { input: unknown; requestId?: string | null }, ctx: ApiContext): Promise<KObject> =>
      updateObject(ctx, kind, args.input, { requestId: args.requestId, path: 'input' }),

    [`patch${k}`]: async (_: unknown, args: Target & { patch: unknown; type?: PatchType | null }, ctx: ApiContext): Promise<KObject> => {
      const { object, warnings } = await patch(ctx, kind, args, args.type ?? 'MERGE', args.patch);
      ctx.warnings.push(...warnings);
      return object;
    },

    [`update${k}Status`]: (_: unknown, args: Target & { status: unknown }, ctx: ApiContext): Promise<KObject> =>
      updateObjectStatus(ctx, kind, args, () => args.status, { path: 'status' }),

    [`delete${k}`]: (
      _: unknown,
      args: Target & { propagationPolicy?: PropagationPolicy | null; gracePeriodSeconds?: number | null },
      ctx: ApiContext,
    ): Promise<KObject> => deleteObject(ctx, kind, args),
  };
}
