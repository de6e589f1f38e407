/** `npm run schema`: writes the generated SDL to schema/kubeql.graphql, the API's committed contract. */
import { writeFileSync } from 'node:fs';
import { kinds } from '../../resources/registry.js';
import { schemaModules } from './modules/all.js';
import { generateSDL } from './sdl.js';
import { packagePath } from '../../package-root.js';

export const SDL_PATH = packagePath('schema', 'kubeql.graphql');

writeFileSync(SDL_PATH, generateSDL(kinds, schemaModules));
console.log(`wrote ${SDL_PATH}`);
