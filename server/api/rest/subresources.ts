/**
 * Subresources: `status` (get, put, patch), `scale` (autoscaling/v1 Scale: get, put, patch),
 * `pods/binding`, `pods/eviction` (policy/v1 Eviction, so kubectl drain works); `log`, `exec`,
 * `attach` and `portforward` answer a Status saying that Kubeql runs no containers.
 */
import { isKind } from '../../resources/objects.js';
import type { KObject } from '../../resources/kind.js';
import { isPlainObject } from '../../resources/shape.js';
import { attributesFor } from '../auth/attributes.js';
import { bindObject, evictObject, scaleObject, updateObjectStatus } from '../verbs/object-writes.js';
import { parseObjectBody } from './body.js';
import { checkDepth, patcher } from './patch-types.js';
import { sendObject } from './read.js';
import type { KindRequest } from './rest-request.js';
import { sendJson } from './respond.js';
import { RestError, badRequest } from './status.js';

const NO_CONTAINERS = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

function success(r: KindRequest, code: number, details: Record<string, unknown>) {
  sendJson(r.res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code, details });
}

function current(r: KindRequest): KObject {
  const object = r.store.get(r.kind.kind, r.kind.namespaced ? (r.namespace ?? '') : '', r.name!);
  if (!object) throw new RestError(404, 'NotFound', `${r.kind.resource} "${r.name}" not found`, { name: r.name, group: r.resource.group, kind: r.kind.resource });
  return object;
}

async function bodyObject(r: KindRequest): Promise<Record<string, unknown>> {
  const body = parseObjectBody(await r.body(), r.req.headers['content-type']);
  checkDepth(body);
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object');
  return body;
}

const target = (r: KindRequest, resourceVersion?: unknown) => ({
  namespace: r.namespace,
  name: r.name!,
  resourceVersion: typeof resourceVersion === 'string' ? resourceVersion : undefined,
});

/** The Scale of a scalable object, as autoscaling/v1 has it. */
function scaleOf(r: KindRequest, o: KObject) {
  const path = r.kind.scale!.replicasPath.split('.');
  let replicas: unknown = o;
  for (const p of path) replicas = isPlainObject(replicas) ? replicas[p] : undefined;
  const status = (o.status ?? {}) as Record<string, unknown>;
  const selector = isKind(o, 'Deployment') || isKind(o, 'ReplicaSet') || isKind(o, 'StatefulSet') ? o.spec.selector.matchLabels : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: typeof replicas === 'number' ? replicas : 1 },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      ...(selector ? { selector: Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',') } : {}),
    },
  };
}

function replicasOf(scale: unknown, name: string): number {
  const replicas = isPlainObject(scale) && isPlainObject(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0 || replicas > 1_000_000)
    throw new RestError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: must be an integer between 0 and 1000000`, {
      causes: [{ reason: 'FieldValueInvalid', message: 'must be an integer between 0 and 1000000', field: 'spec.replicas' }],
    });
  return replicas;
}

export async function serveSubresource(r: KindRequest): Promise<void> {
  const sub = r.subresource!;
  const info = r.resource.subresources.find((s) => s.name === sub);
  if (!info && !(NO_CONTAINERS.has(sub) && r.kind.kind === 'Pod'))
    throw new RestError(404, 'NotFound', `the server could not find the requested resource: ${r.kind.resource}/${sub}`);
  if (r.kind.namespaced && !r.namespace) throw new RestError(404, 'NotFound', `the server could not find the requested resource: ${r.kind.resource}/${sub} is namespaced`);
  const method = r.method;

  if (NO_CONTAINERS.has(sub)) {
    const verb = method === 'GET' ? 'get' : 'create';
    r.ctx.guard.check(attributesFor(r.kind, verb, { namespace: r.namespace, name: r.name, subresource: sub }));
    current(r);
    throw new RestError(
      400,
      'BadRequest',
      `Kubeql runs no real containers (its nodes are simulated): pods/${sub} is not available for pod "${r.name}"; the pod's state is in its status (kubectl describe pod ${r.name})`,
    );
  }

  if (sub === 'status') {
    if (method === 'GET') {
      r.ctx.guard.check(attributesFor(r.kind, 'get', { namespace: r.namespace, name: r.name, subresource: 'status' }));
      return sendObject(r, current(r));
    }
    if (method === 'PUT') {
      const body = await bodyObject(r);
      const meta = isPlainObject(body.metadata) ? body.metadata : {};
      const object = await updateObjectStatus(r.ctx, r.kind, target(r, meta.resourceVersion), () => body.status ?? {}, { verb: 'update', dryRun: r.query.dryRun(), path: 'status' });
      return sendObject(r, object);
    }
    if (method === 'PATCH') {
      const patchOf = patcher(r.req.headers['content-type'], await r.body(), r.kind.kind);
      const object = await updateObjectStatus(
        r.ctx,
        r.kind,
        target(r),
        (o) => {
          const patched = patchOf(o);
          return isPlainObject(patched) ? patched.status : undefined;
        },
        { verb: 'patch', dryRun: r.query.dryRun(), path: 'status' },
      );
      return sendObject(r, object);
    }
  }

  if (sub === 'scale') {
    if (method === 'GET') {
      r.ctx.guard.check(attributesFor(r.kind, 'get', { namespace: r.namespace, name: r.name, subresource: 'scale' }));
      return sendJson(r.res, 200, scaleOf(r, current(r)));
    }
    if (method === 'PUT' || method === 'PATCH') {
      let replicas: number;
      let resourceVersion: unknown;
      if (method === 'PUT') {
        const body = await bodyObject(r);
        replicas = replicasOf(body, r.name!);
        resourceVersion = isPlainObject(body.metadata) ? body.metadata.resourceVersion : undefined;
      } else {
        const patchOf = patcher(r.req.headers['content-type'], await r.body(), 'Scale');
        const patched = patchOf(scaleOf(r, current(r)));
        replicas = replicasOf(patched, r.name!);
      }
      const object = await scaleObject(r.ctx, r.kind, { ...target(r, resourceVersion), replicas }, { dryRun: r.query.dryRun() });
      return sendJson(r.res, 200, scaleOf(r, object));
    }
  }

  if (sub === 'binding' && method === 'POST') {
    const body = await bodyObject(r);
    const to = isPlainObject(body.target) ? body.target : undefined;
    if (!to || typeof to.name !== 'string') throw new RestError(422, 'Invalid', 'Binding is invalid: target.name: Required value', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
    if (to.kind !== undefined && to.kind !== 'Node') throw badRequest('a binding must target a Node');
    await bindObject(r.ctx, r.kind, { ...target(r), nodeName: to.name }, { dryRun: r.query.dryRun() });
    return success(r, 201, { name: r.name, kind: 'pods' });
  }

  if (sub === 'eviction' && method === 'POST') {
    const body = await bodyObject(r);
    const meta = isPlainObject(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== r.name) throw badRequest(`name in URL does not match name in Eviction object`);
    const options = isPlainObject(body.deleteOptions) ? body.deleteOptions : {};
    const grace = options.gracePeriodSeconds;
    if (grace !== undefined && grace !== null && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)) throw badRequest('deleteOptions.gracePeriodSeconds must be a non-negative integer');
    const pre = isPlainObject(options.preconditions) ? options.preconditions : {};
    await evictObject(
      r.ctx,
      r.kind,
      {
        ...target(r, pre.resourceVersion),
        gracePeriodSeconds: (grace as number | undefined) ?? undefined,
        uid: typeof pre.uid === 'string' ? pre.uid : undefined,
      },
      { dryRun: r.query.dryRun() || (Array.isArray(options.dryRun) && options.dryRun.length > 0) },
    );
    return success(r, 201, { name: r.name, kind: 'pods' });
  }

  throw new RestError(405, 'MethodNotAllowed', `${method} is not supported on ${r.kind.resource}/${sub}`);
}
