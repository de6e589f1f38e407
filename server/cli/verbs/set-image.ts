/** `kq set image <kind>/<name> CONTAINER=IMAGE... ('*' for every container)`, as kubectl set image: one strategic merge patch per object. */
import type { KObject, KindDef } from '../../resources/kind.js';
import { CliError } from '../cli-error.js';
import { objectRef } from '../kinds.js';
import { notFound } from '../not-found.js';
import { getObject, patchObject } from '../object-api.js';
import { parseResourceArgs } from '../resource-args.js';
import type { Verb } from '../verb.js';

type Any = Record<string, any>;

/** The pod spec's path in each kind that has one. */
const POD_SPEC: Record<string, string[]> = { Pod: ['spec'], Deployment: ['spec', 'template', 'spec'], ReplicaSet: ['spec', 'template', 'spec'] };

function nest(path: string[], leaf: unknown): Any {
  return path.reduceRight<Any>((inner, key) => ({ [key]: inner }), leaf as Any);
}

export const setImageVerb: Verb = {
  name: 'set image',
  summary: "Change containers' images (a rollout, for a deployment)",
  usage: 'set image <kind>/<name>... | <kind> <name>...  CONTAINER=IMAGE... (* for every container)',
  flags: {},
  async run(ctx) {
    const first = ctx.args.findIndex((a) => a.includes('='));
    if (first < 1) throw new CliError('give the object and at least one CONTAINER=IMAGE: kq set image deployment/web nginx=nginx:1.25');
    const images = new Map<string, string>();
    for (const pair of ctx.args.slice(first)) {
      const eq = pair.indexOf('=');
      if (eq < 1 || eq === pair.length - 1) throw new CliError(`"${pair}" is not CONTAINER=IMAGE`);
      images.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const client = ctx.client();
    const targets: Array<{ kind: KindDef; name: string }> = [];
    for (const { kind, names } of parseResourceArgs(ctx.args.slice(0, first), 'set image')) {
      if (!POD_SPEC[kind.kind]) throw new CliError(`kq set image works on pods, deployments and replica sets, not ${kind.resource}`);
      if (!names) throw new CliError(`name the ${kind.resource}: kq set image ${kind.resource}/<name> CONTAINER=IMAGE`);
      targets.push(...names.map((name) => ({ kind, name })));
    }
    for (const { kind, name } of targets) {
      const object = (await getObject(client, kind, ctx.namespace, name)) as KObject | null;
      if (!object) throw notFound(kind, name);
      const path = POD_SPEC[kind.kind];
      const podSpec = path.reduce<Any>((at, key) => at?.[key], object as Any) ?? {};
      const containers: Any[] = [...(podSpec.initContainers ?? []).map((c: Any) => ({ ...c, init: true })), ...(podSpec.containers ?? [])];
      const changes: Any = { containers: [], initContainers: [] };
      for (const [container, image] of images) {
        const matched = container === '*' ? containers : containers.filter((c) => c.name === container);
        if (matched.length === 0) throw new CliError(`unable to find container named "${container}" in ${objectRef(kind, name)}`);
        for (const c of matched) if (c.image !== image) (c.init ? changes.initContainers : changes.containers).push({ name: c.name, image });
      }
      const patch: Any = {};
      if (changes.containers.length) patch.containers = changes.containers;
      if (changes.initContainers.length) patch.initContainers = changes.initContainers;
      if (Object.keys(patch).length === 0) continue; // kubectl prints nothing for an object already at those images
      await patchObject(client, kind, ctx.namespace, name, nest(path, patch), object.metadata.resourceVersion, 'STRATEGIC');
      ctx.stdout.write(`${objectRef(kind, name)} image updated\n`);
    }
  },
};
