/** `kq describe`: one object, or every object a kind and selector match, in kubectl's describe layout. */
import { ClientError } from '../../client/client-error.js';
import { ALL_NAMESPACES, SELECTOR } from '../common-flags.js';
import { findKind } from '../kinds.js';
import { getObjects } from '../object-api.js';
import { describeText } from '../output/describe-text.js';
import { parseResourceArgs } from '../resource-args.js';
import type { Verb } from '../verb.js';
import { fetchSelections } from './get.js';

export const describeVerb: Verb = {
  name: 'describe',
  summary: 'Show objects in detail',
  usage: 'describe <kind> [name...] | <kind>/<name>... [-n ns | -A] [-l selector]',
  flags: { ...ALL_NAMESPACES, ...SELECTOR },
  async run(ctx) {
    const { found, missing } = await fetchSelections(ctx, parseResourceArgs(ctx.args, 'describe'));
    // A Service's Endpoints, read in one request for all the services shown.
    const endpointsKind = findKind('Endpoints');
    const services = found.filter((f) => f.kind.kind === 'Service').flatMap((f) => f.items);
    const endpoints = endpointsKind && services.length
      ? await getObjects(ctx.client(), services.map((s) => ({ kind: endpointsKind, namespace: s.metadata.namespace ?? '', name: s.metadata.name })))
      : [];
    const endpointsOf = new Map(services.map((s, i) => [s, endpoints[i] ?? null]));
    const texts = found.flatMap((f) => f.items.map((o) => describeText(f.kind, o, f.kind.kind === 'Service' ? { endpoints: endpointsOf.get(o) ?? null } : {})));
    ctx.stdout.write(texts.join('\n\n'));
    if (texts.length === 0 && missing.length === 0) ctx.stderr.write(`No resources found${found.some((f) => f.kind.namespaced) && !ctx.flags['all-namespaces'] ? ` in ${ctx.namespace} namespace` : ''}.\n`);
    if (missing.length) throw new ClientError(missing.flatMap((m) => m.errors));
  },
};
