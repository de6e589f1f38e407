/** Flags several verbs share, spelled as kubectl spells them. */
import type { FlagSpec } from './verb.js';

export const SELECTOR: Record<string, FlagSpec> = {
  selector: { type: 'string', short: 'l', help: 'label selector (a=b, a!=b, a in (x,y), !a)' },
};

export const FIELD_SELECTOR: Record<string, FlagSpec> = {
  'field-selector': { type: 'string', help: 'field selector (metadata.name=x, spec.nodeName=n1, status.phase=Running)' },
};

export const ALL_NAMESPACES: Record<string, FlagSpec> = {
  'all-namespaces': { type: 'boolean', short: 'A', help: 'across every namespace' },
};

export const FILENAME: Record<string, FlagSpec> = {
  filename: { type: 'string', short: 'f', multiple: true, help: 'a file, a directory of .yaml/.yml/.json files, or - for stdin' },
  recursive: { type: 'boolean', short: 'R', help: 'read directories recursively' },
};

export const OUTPUT: Record<string, FlagSpec> = {
  output: { type: 'string', short: 'o', help: 'wide, yaml, json or name' },
};

export const TIMEOUT: Record<string, FlagSpec> = {
  timeout: { type: 'string', help: 'give up after this long (30s, 5m); 0 waits forever' },
};
