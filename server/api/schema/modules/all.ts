/** The schema modules that make up the API, in order. */
import type { SchemaModule } from '../module.js';
import { objectsModule } from './objects.js';

export const schemaModules: readonly SchemaModule[] = [objectsModule];
