/** The mutations of one kind: create, update, patch, updateStatus, delete, each one store write. */
import { badInput } from '../../../errors.js';
import type { KObject, KindDef } from '../../../resources/kind.js';
import { isPlainObject } from '../../../resources/plain-object.js';
import { prepareObject, prepareStatus } from '../../../resources/validate-object.js';
import type { ApiContext } from '../../context.js';
import { createInTx } from '../../verbs/create.js';
import { deleteInTx, type PropagationPolicy } from '../../verbs/delete.js';
import { mergePatch } from '../../../resources/merge-patch.js';
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
      const object = await ctx.store.write(
        (tx) => earlierResult(tx, args.requestId, k) ?? createInTx(tx, ctx, kind, prepared, { verb: 'create', requestId: args.requestId, path: 'input' }),
      );
      ctx.warnings.push(...prepared.warnings);
      return object;
    },

    [`update${k}`]: async (_: unknown, args: { input: unknown; requestId?: string | null }, ctx: ApiContext): Promise<KObject> => {
      const prepared = prepareObject(kind, args.input, 'input');
      const { name, namespace, resourceVersion } = prepared.object.metadata;
      if (!name) throw badInput('input.metadata.name', 'Required value');
      const target = { namespace, name, resourceVersion, requestId: args.requestId };
      const object = await writeExisting(ctx, kind, target, [attributesFor(kind, 'update', target)], (tx, current) =>
        updateInTx(tx, ctx, kind, current, prepared, { verb: 'update', requestId: args.requestId, path: 'input' }).object,
      );
      ctx.warnings.push(...prepared.warnings);
      return object;
    },

    [`patch${k}`]: async (_: unknown, args: Target & { patch: unknown }, ctx: ApiContext): Promise<KObject> => {
      if (!isPlainObject(args.patch)) throw badInput('patch', 'must be a JSON object (a merge patch)');
      const patch = args.patch;
      const patchMeta = isPlainObject(patch.metadata) ? patch.metadata : {};
      for (const field of ['name', 'namespace', 'uid'] as const)
        if (patchMeta[field] !== undefined) throw badInput(`patch.metadata.${field}`, 'Invalid value: field is immutable');
      let warnings: string[] = [];
      const target = { ...args, resourceVersion: args.resourceVersion ?? (patchMeta.resourceVersion as string | undefined) };
      const object = await writeExisting(ctx, kind, target, [attributesFor(kind, 'patch', args)], (tx, current) => {
        const patched = mergePatch(current, patch) as KObject;
        delete patched.status; // the status subresource is written by updateStatus alone
        const prepared = prepareObject(kind, patched, 'patch');
        warnings = prepared.warnings;
        return updateInTx(tx, ctx, kind, current, prepared, { verb: 'patch', requestId: args.requestId, path: 'patch' }).object;
      });
      ctx.warnings.push(...warnings);
      return object;
    },

    [`update${k}Status`]: async (_: unknown, args: Target & { status: unknown }, ctx: ApiContext): Promise<KObject> => {
      const warnings = prepareStatus(kind, args.status, 'status');
      const asStatus = (verb: string) => attributesFor(kind, verb, { ...args, subresource: 'status' });
      const object = await writeExisting(ctx, kind, args, [asStatus('update'), asStatus('patch')], (tx, current) =>
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
      return writeExisting(ctx, kind, args, [attributesFor(kind, 'delete', args)], (tx, current) => deleteInTx(tx, ctx, kind, current, args));
    },
  };
}
