/** The mutations of one kind: create, update, patch, updateStatus, delete, each one store write (verbs/object-writes.ts). */
import { badInput } from '../../../errors.js';
import type { KObject, KindDef } from '../../../resources/kind.js';
import { isPlainObject } from '../../../resources/shape.js';
import type { ApiContext } from '../../context.js';
import type { PropagationPolicy } from '../../verbs/delete.js';
import { mergePatch } from '../../../resources/merge-patch.js';
import { createObject, deleteObject, patchObject, updateObject, updateObjectStatus } from '../../verbs/object-writes.js';
import type { WriteTarget as Target } from '../../verbs/write-existing.js';

export function writeResolvers(kind: KindDef) {
  const k = kind.kind;
  return {
    [`create${k}`]: (_: unknown, args: { input: unknown; requestId?: string | null }, ctx: ApiContext): Promise<KObject> =>
      createObject(ctx, kind, args.input, { requestId: args.requestId, path: 'input' }),

    [`update${k}`]: (_: unknown, args: { input: unknown; requestId?: string | null }, ctx: ApiContext): Promise<KObject> =>
      updateObject(ctx, kind, args.input, { requestId: args.requestId, path: 'input' }),

    [`patch${k}`]: (_: unknown, args: Target & { patch: unknown }, ctx: ApiContext): Promise<KObject> => {
      if (!isPlainObject(args.patch)) throw badInput('patch', 'must be a JSON object (a merge patch)');
      const patch = args.patch;
      const patchMeta = isPlainObject(patch.metadata) ? patch.metadata : {};
      for (const field of ['name', 'namespace', 'uid'] as const)
        if (patchMeta[field] !== undefined) throw badInput(`patch.metadata.${field}`, 'Invalid value: field is immutable');
      const target = { ...args, resourceVersion: args.resourceVersion ?? (patchMeta.resourceVersion as string | undefined) };
      return patchObject(ctx, kind, target, (current) => mergePatch(current, patch), { path: 'patch' });
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
