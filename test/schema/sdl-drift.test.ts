import { readFileSync } from 'node:fs';
import { buildSchema as parseSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schemaModules } from '../../server/api/schema/modules/all.js';
import { generateSDL } from '../../server/api/schema/sdl.js';
import { kinds } from '../../server/resources/registry.js';

describe('schema/kubeql.graphql', () => {
  it('is what the registry of kinds generates (run `npm run schema` after changing a kind)', () => {
    const committed = readFileSync(new URL('../../schema/kubeql.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(generateSDL(kinds, schemaModules));
  });

  it('names every kind the same way (DESIGN §4)', () => {
    const schema = parseSchema(generateSDL(kinds, schemaModules));
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    for (const k of kinds) {
      expect(query[k.getField]).toBeDefined();
      expect(query[k.listField].type.toString()).toBe(`${k.kind}Connection!`);
      for (const verb of ['create', 'update', 'patch', 'delete']) expect(mutation[`${verb}${k.kind}`]).toBeDefined();
      expect(mutation[`update${k.kind}Status`]).toBeDefined();
      expect('namespace' in query[k.getField].args.reduce((a, x) => ({ ...a, [x.name]: x }), {})).toBe(k.namespaced);
    }
    expect(query.pods.args.map((a) => a.name)).toEqual(['namespace', 'labelSelector', 'fieldSelector', 'first', 'after', 'atRevision']);
    expect(query.revision.type.toString()).toBe('Revision!');
  });
});
