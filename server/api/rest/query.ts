/** Query parameters of a REST request, each bounded and checked: a bad one is a 400 BadRequest naming it. */
import { badRequest } from './status.js';

/** More than this many parameters, or a value longer than this, is refused. */
const MAX_PARAMS = 32;
const MAX_VALUE = 4096;

export class Query {
  private readonly params: URLSearchParams;

  constructor(search: string) {
    this.params = new URLSearchParams(search);
    let count = 0;
    for (const [key, value] of this.params) {
      if (++count > MAX_PARAMS) throw badRequest(`too many query parameters (at most ${MAX_PARAMS})`);
      if (value.length > MAX_VALUE || key.length > 256) throw badRequest(`query parameter ${JSON.stringify(key.slice(0, 64))} is longer than ${MAX_VALUE} characters`);
    }
  }

  string(name: string): string | undefined {
    const all = this.params.getAll(name);
    if (all.length > 1) throw badRequest(`query parameter ${name} given ${all.length} times`);
    return all[0];
  }

  /** A non-negative integer at most `max`. */
  int(name: string, max: number): number | undefined {
    const text = this.string(name);
    if (text === undefined || text === '') return undefined;
    if (!/^\d{1,16}$/.test(text) || Number(text) > max) throw badRequest(`query parameter ${name}: ${JSON.stringify(text)} is not an integer between 0 and ${max}`);
    return Number(text);
  }

  /** Kubernetes' booleans: true, 1 (and false, 0). */
  bool(name: string): boolean {
    const text = this.string(name);
    if (text === undefined || text === '' || text === 'false' || text === '0') return false;
    if (text === 'true' || text === '1') return true;
    throw badRequest(`query parameter ${name}: ${JSON.stringify(text)} is not a boolean`);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const text = this.string(name);
    if (text === undefined || text === '') return undefined;
    if (!(values as readonly string[]).includes(text)) throw badRequest(`query parameter ${name}: ${JSON.stringify(text)} is not one of ${values.join(', ')}`);
    return text as T;
  }

  /** dryRun: only `All` exists. */
  dryRun(): boolean {
    const all = this.params.getAll('dryRun');
    for (const v of all) if (v !== 'All') throw badRequest(`query parameter dryRun: ${JSON.stringify(v)} is not supported (only All)`);
    return all.length > 0;
  }
}
