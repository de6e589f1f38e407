/**
 * Subresources: `bindPod` (pods/binding) and `scale<Kind>` for every kind that declares a scale
 * subresource in the registry; each one store write with a precondition and requestId idempotency
 * (several in one document share a commit: shared-commit.ts).
 */
import type { KObject, KindDef } from '../../../resources/kind.js';
import type { ApiContext } from '../../context.js';
import { bindObject, scaleObject } from '../../verbs/object-writes.js';
import type { WriteTarget as Target } from '../../verbs/write-existing.js';
import type { SchemaModule } from '../module.js';
import { oneWrite } from '../shared-commit.js';


const podKind = (kinds: readonly KindDef[]) => kinds.find((k) => k.kind === 'Pod');
const scalable = (kinds: readonly KindDef[]) => kinds.filter((k) => k.scale);

function scopeArgs(kind: KindDef): string {
  return kind.namespaced ? 'namespace: String!, name: String!' : 'name: String!';
}

function typeDefs(kinds: readonly KindDef[]): string {
  const fields: string[] = [];
  const pod = podKind(kinds);
  if (pod)
    fields.push(
      `  """Assigns an unbound pod to a node: sets spec.nodeName and the condition PodScheduled=True in one event (verb bind). A pod already bound, or being deleted, answers CONFLICT."""\n` +
        `  bindPod(${scopeArgs(pod)}, nodeName: String!, resourceVersion: String, requestId: String): Pod!`,
    );
  for (const kind of scalable(kinds))
    fields.push(
      `  """Sets ${kind.scale!.replicasPath} (verb scale; generation +1). An unchanged count appends nothing."""\n` +
        `  scale${kind.kind}(${scopeArgs(kind)}, replicas: Int!, resourceVersion: String, requestId: String): ${kind.kind}!`,
    );
  return fields.length ? `extend type Mutation {\n${fields.join('\n')}\n}` : '';
}

function resolvers(kinds: readonly KindDef[]) {
  const mutations: Record<string, unknown> = {};
  const pod = podKind(kinds);
  if (pod)
    mutations.bindPod = oneWrite((_: unknown, args: Target & { nodeName: string }, ctx: ApiContext): Promise<KObject> => bindObject(ctx, pod, args));
  for (const kind of scalable(kinds))
    mutations[`scale${kind.kind}`] = oneWrite((_: unknown, args: Target & { replicas: number }, ctx: ApiContext): Promise<KObject> => scaleObject(ctx, kind, args));
  return Object.keys(mutations).length ? { Mutation: mutations } : {};
}

export const subresourcesModule: SchemaModule = { name: 'subresources', typeDefs, resolvers };
