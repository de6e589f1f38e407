/**
 * The admin mutation `replay(verify)` (DESIGN §7 Replay): the API server rebuilds its projections
 * from the log and compares digests. The result's fields are read from the server's schema, so a
 * caller gets whatever the server reports (a server of another version adds or drops fields).
 */
import type { KubeqlClient } from './client.js';
import { objectClientOf, type ObjectClient } from './object-client.js';

type TypeRef = { kind: string; name: string | null; ofType: TypeRef | null };
type Field = { name: string; args: Array<{ name: string }>; type: TypeRef };

const named = (t: TypeRef): TypeRef => (t.ofType ? named(t.ofType) : t);
const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

async function fieldsOf(graphql: KubeqlClient, typeName: string): Promise<Field[]> {
  const { __type } = await graphql.request<{ __type: { fields?: Field[] } | null }>(
    `query($name: String!) { __type(name: $name) { fields { name args { name } type { ${TYPE_REF} } } } }`,
    { name: typeName },
  );
  return (__type?.fields ?? []).filter((f) => f.args.length === 0);
}

/** A selection of a type's fields: its scalars, and the scalars of the objects it holds (`depth` levels down). */
async function selection(graphql: KubeqlClient, typeName: string, depth: number): Promise<string> {
  const parts: string[] = [];
  for (const f of await fieldsOf(graphql, typeName)) {
    const t = named(f.type);
    if (t.kind === 'SCALAR' || t.kind === 'ENUM') parts.push(f.name);
    else if (t.kind === 'OBJECT' && depth > 0 && t.name) {
      const inner = await selection(graphql, t.name, depth - 1);
      if (inner) parts.push(`${f.name} ${inner}`);
    }
  }
  return parts.length ? `{ ${parts.join(' ')} }` : '';
}

export interface ReplaySupport {
  /** The server takes `verify` (without it, it only verifies). */
  takesVerify: boolean;
  selection: string;
}

/** What the server's `replay` mutation takes and answers, or undefined when it has none. */
export async function replaySupport(client: KubeqlClient | ObjectClient): Promise<ReplaySupport | undefined> {
  const graphql = objectClientOf(client).graphql;
  const { __schema } = await graphql.request<{ __schema: { mutationType: { fields?: Field[] } | null } }>(
    `{ __schema { mutationType { fields { name args { name } type { ${TYPE_REF} } } } } }`,
  );
  const field = (__schema.mutationType?.fields ?? []).find((f) => f.name === 'replay');
  if (!field) return undefined;
  const result = named(field.type);
  return {
    takesVerify: field.args.some((a) => a.name === 'verify'),
    selection: result.kind === 'OBJECT' && result.name ? await selection(graphql, result.name, 1) : '',
  };
}

/** Runs `replay` as `support` describes it (replaySupport); answers the server's result as it gave it. */
export async function replay(client: KubeqlClient | ObjectClient, support: ReplaySupport, options: { verify: boolean }): Promise<unknown> {
  const graphql = objectClientOf(client).graphql;
  const document = support.takesVerify ? `mutation($verify: Boolean) { replay(verify: $verify) ${support.selection} }` : `mutation { replay ${support.selection} }`;
  const data = await graphql.request<{ replay: unknown }>(document, support.takesVerify ? { verify: options.verify } : {});
  return data.replay;
}
