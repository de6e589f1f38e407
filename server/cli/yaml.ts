/**
 * The yaml library, loaded when a command first needs it (reading YAML, printing `-o yaml`), so
 * that `kq get pods` does not pay for it. On Node `yaml` resolves to the same CommonJS build for
 * `import` and `require`.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let loaded: typeof import('yaml') | undefined;

export function yaml(): typeof import('yaml') {
  return (loaded ??= require('yaml') as typeof import('yaml'));
}
