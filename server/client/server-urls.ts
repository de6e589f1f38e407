/**
 * The API servers a client may talk to: one URL, or several that share one log (PostgreSQL, DESIGN
 * §8), written as a list or as one string with commas (`KUBEQL_SERVER=http://a:8080,http://b:8080`).
 */

/** The GraphQL endpoint of a base URL: `/graphql` is added when missing. */
export function graphqlUrl(server: string): string {
  const trimmed = server.replace(/\/+$/, '');
  return trimmed.endsWith('/graphql') ? trimmed : `${trimmed}/graphql`;
}

/**
 * The servers of `server` in order, each as given (trimmed): splits on commas, drops empty entries
 * and repeats. Throws (naming the entry) when there is none or one is not an http(s) URL.
 */
export function serverList(server: string | readonly string[]): string[] {
  const entries = (typeof server === 'string' ? [server] : server).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) throw new Error('no API server URL given');
  for (const entry of entries) {
    if (!/^https?:\/\/[^/]/.test(entry)) throw new Error(`server "${entry}" must be an http:// or https:// URL`);
    try {
      new URL(entry);
    } catch {
      throw new Error(`server "${entry}" is not a valid URL`);
    }
  }
  return [...new Set(entries)];
}
