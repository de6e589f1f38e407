/** The schema modules that make up the API, in order. */
import type { SchemaModule } from '../module.js';
import { applyModule } from './apply.js';
import { auditModule } from './audit.js';
import { objectsModule } from './objects.js';
import { relationsModule } from './relations.js';
import { subresourcesModule } from './subresources.js';
import { watchModule } from './watch.js';
import { tokensModule } from './tokens.js';

export const schemaModules: readonly SchemaModule[] = [objectsModule, applyModule, relationsModule, subresourcesModule, watchModule, auditModule, tokensModule];
