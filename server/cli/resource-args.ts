/** kubectl's ways of naming objects on the command line: `pods`, `pod a b`, `pods,svc`, `pod/a deployment/b`. */
import type { KindDef } from '../resources/kind.js';
import { CliError } from './cli-error.js';
import { resolveKind, resolveKindList } from './kinds.js';

export interface ResourceSelection {
  kind: KindDef;
  /** Undefined: every object of the kind (narrowed by selectors). */
  names?: string[];
}

export function parseResourceArgs(args: string[], verb: string): ResourceSelection[] {
  if (args.length === 0) throw new CliError(`you must specify the type of resource: kq ${verb} <kind> [name] or kq ${verb} <kind>/<name> (kq api-resources lists the kinds)`);
  if (args[0].includes('/')) {
    return args.map((arg) => {
      const slash = arg.indexOf('/');
      if (slash < 1 || slash === arg.length - 1) throw new CliError(`"${arg}": arguments in <kind>/<name> form must all be in that form (and not empty)`);
      return { kind: resolveKind(arg.slice(0, slash)), names: [arg.slice(slash + 1)] };
    });
  }
  const [kindSpec, ...names] = args;
  const kinds = resolveKindList(kindSpec);
  if (names.some((n) => n.includes('/'))) throw new CliError(`there is no need to give a kind twice: use "kq ${verb} ${kindSpec} <name>" or "kq ${verb} <kind>/<name>"`);
  if (names.length === 0) return kinds.map((kind) => ({ kind }));
  if (kinds.length > 1) throw new CliError(`name a single kind when you give names, or use <kind>/<name> for each (kq ${verb} pod/a service/b)`);
  return [{ kind: kinds[0], names }];
}

/** Exactly one `<kind>/<name>` (or `<kind> <name>`), for verbs that act on one object (scale, rollout, history). */
export function parseOneObject(args: string[], verb: string, allowed?: (k: KindDef) => boolean, what = 'an object'): { kind: KindDef; name: string } {
  const selections = args.length > 0 ? parseResourceArgs(args, verb) : [];
  const one = selections.length === 1 && selections[0].names?.length === 1 ? { kind: selections[0].kind, name: selections[0].names[0] } : undefined;
  if (!one) throw new CliError(`name ${what}: kq ${verb} <kind>/<name>`);
  if (allowed && !allowed(one.kind)) throw new CliError(`kq ${verb} does not work on ${one.kind.resource}: name ${what}`);
  return one;
}
