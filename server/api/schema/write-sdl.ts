/** `npm run schema`: writes the generated SDL to schema/kubeql.graphql, the API's committed contract. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kinds } from '../../resources/registry.js';
import { schemaModules } from './modules/all.js';
import { generateSDL } from './sdl.js';

export const SDL_PATH = fileURLToPath(new URL('../../../schema/kubeql.graphql', import.meta.url));

writeFileSync(SDL_PATH, generateSDL(kinds, schemaModules));
console.log(`wrote ${SDL_PATH}`);
