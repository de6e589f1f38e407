/** Objects: get, list, create, update, patch, updateStatus and delete for every kind. */
import type { SchemaModule } from '../module.js';
import { objectsResolvers } from './objects-resolvers.js';
import { objectsSDL } from './objects-sdl.js';

export const objectsModule: SchemaModule = { name: 'objects', typeDefs: objectsSDL, resolvers: objectsResolvers };
