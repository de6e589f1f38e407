/** The mutations of one kind: create, update, patch, updateStatus, delete, each one store write. */
import { badInput } from '../../../errors.js';
import type { KObject, KindDef } from '../../../resources/kind.js';
import { prepareObject, prepareStatus } from '../../../resources/validate-object.js';
import type { ApiContext } from '../../context.js';
import { createInTx } from '../../verbs/create.js';
import { deleteInTx, type PropagationPolicy } from '../../verbs/delete.js';
import type { PatchType } from '../../../resources/patch/patch-object.js';
import { patch } from '../../verbs/patch.js';
import { earlierResult } from '../../verbs/request-id.js';
import { updateStatusInTx } from '../../verbs/update-status.js';
import { updateInTx } from '../../verbs/update.js';
import { writeExisting, type WriteTarget as Target } from '../../verbs/write-existing.js';
import { attributesFor } from '../../auth/attributes.js';

export function writeResolvers(kind: KindDef) {
  const k = kind.kind;
  return {
    [`create${k}`]: async (_: unknown, args: { input: unknown; requestId?: string | null }, ctx: ApiContext): Promise<KObject> => {
      const prepared = prepareObject(kind, args.input, 'input');
      ctx.guard.check(attributesFor(kind, 'create', prepared.object.metadata));
      const meta = prepared.object.metadata;
      const request = { verb: 'create' as const, kind: k, namespace: kind.namespaced ? (meta.namespace as string) : '', name: meta.name || undefined, generateName: meta.generateName || undefined };
      const object = await ctx.store.write(
        (tx) => earlierResult(tx, ctx.actor, args.requestId, request) ?? createInTx(tx, ctx, kind, prepared, { verb: 'create', requestId: args.requestId, path: 'input' }),
      );
      ctx.warnings.push(...prepared.warnings);
      return object;
    },

    [`update${k}`]: async (_: unknown, args: { input: unknown; requestId?: string | null }, ctx: ApiContext): Promise<KObject> => {
      const prepared = prepareObject(kind, args.input, 'input');
      const { name, namespace, resourceVersion } = prepared.object.metadata;
      if (!name) throw badInput('input.metadata.name', 'Required value');
      const target = { namespace, name, resourceVersion, requestId: args.requestId };
      const object = await writeExisting(ctx, kind, target, 'update', [attributesFor(kind, 'update', target)], (tx, current) =>
        updateInTx(tx, ctx, kind, current, prepared, { verb: 'update', requestId: args.requestId, path: 'input' }).object,
      );
      ctx.warnings.push(...prepared.warnings);
      return object;
    },

    [`patch${k}`]: async (_: unknown, args: Target & { patch: unknown; type?: PatchType | null }, ctx: ApiContext): Promise<KObject> => {
      const { object, warnings } = await patch(ctx, kind, args, args.type ?? 'MERGE', args.patch);
      ctx.warnings.push(...warnings);
      return object;
    },

    [`update${k}Status`]: async (_: unknown, args: Target & { status: unknown }, ctx: ApiContext): Promise<KObject> => {
      const warnings = prepareStatus(kind, args.status, 'status');
      const asStatus = (verb: string) => attributesFor(kind, verb, { ...args, subresource: 'status' });
      const object = await writeExisting(ctx, kind, args, 'updateStatus', [asStatus('update'), asStatus('patch')], (tx, current) =>
        updateStatusInTx(tx, ctx, current, args.status as Record<string, unknown>, args.requestId),
      );
      ctx.warnings.push(...warnings);
      return object;
    },

    [`delete${k}`]: async (
      _: unknown,
      args: Target & { propagationPolicy?: PropagationPolicy | null; gracePeriodSeconds?: number | null },
      ctx: ApiContext,
    ): Promise<KObject> => {
      if (args.gracePeriodSeconds !== undefined && args.gracePeriodSeconds !== null && args.gracePeriodSeconds < 0)
        throw badInput('gracePeriodSeconds', 'must be greater than or equal to 0');
      return writeExisting(ctx, kind, args, 'delete', [attributesFor(kind, 'delete', args)], (tx, current) => deleteInTx(tx, ctx, kind, current, args));
    },
  };
}
