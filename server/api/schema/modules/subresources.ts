/**
 * Subresources: `bindPod` (pods/binding) and `scale<Kind>` for every kind that declares a scale
 * subresource in the registry; each one store write with a precondition and requestId idempotency.
 */
import type { KObject, KindDef } from '../../../resources/kind.js';
import type { ApiContext } from '../../context.js';
import { bindInTx, checkNodeName } from '../../verbs/bind.js';
import { checkReplicas, scaleInTx } from '../../verbs/scale.js';
import { writeExisting, type WriteTarget as Target } from '../../verbs/write-existing.js';
import { attributesFor } from '../../auth/attributes.js';
import type { SchemaModule } from '../module.js';


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
    mutations.bindPod = (_: unknown, args: Target & { nodeName: string }, ctx: ApiContext): Promise<KObject> => {
      checkNodeName(args.nodeName);
      // Kubeql's verb `bind` on pods, or Kubernetes' own spelling: create pods/binding.
      const allowedIf = [attributesFor(pod, 'bind', args), attributesFor(pod, 'create', { ...args, subresource: 'binding' })];
      return writeExisting(ctx, pod, args, 'bind', allowedIf, (tx, current) => bindInTx(tx, ctx, current, args.nodeName, args.requestId));
    };
  for (const kind of scalable(kinds))
    mutations[`scale${kind.kind}`] = (_: unknown, args: Target & { replicas: number }, ctx: ApiContext): Promise<KObject> => {
      checkReplicas(args.replicas);
      // Kubeql's verb `scale`, or Kubernetes' own spelling: update (or patch) <resource>/scale.
      const allowedIf = ['update', 'patch'].map((verb) => attributesFor(kind, verb, { ...args, subresource: 'scale' }));
      return writeExisting(ctx, kind, args, 'scale', [attributesFor(kind, 'scale', args), ...allowedIf], (tx, current) => scaleInTx(tx, ctx, kind, current, args.replicas, args.requestId));
    };
  return Object.keys(mutations).length ? { Mutation: mutations } : {};
}

export const subresourcesModule: SchemaModule = { name: 'subresources', typeDefs, resolvers };
