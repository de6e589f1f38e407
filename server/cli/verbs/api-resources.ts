/** `kq api-resources`: the kinds, with the names kq accepts for them, as kubectl lists them. */
import { kinds } from '../kinds.js';
import { formatTable } from '../output/table.js';
import type { Verb } from '../verb.js';

export const apiResourcesVerb: Verb = {
  name: 'api-resources',
  summary: 'List the kinds and their short names',
  usage: 'api-resources',
  flags: {},
  async run(ctx) {
    const rows = kinds.map((k) => [k.resource, k.shortNames.join(','), k.apiVersion, String(k.namespaced), k.kind]);
    ctx.stdout.write(formatTable([['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'], ...rows.sort((a, b) => a[0].localeCompare(b[0]))]));
  },
};
