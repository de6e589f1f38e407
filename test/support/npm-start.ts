/** For tests that run `npm start` itself: a free port, a GraphQL call with a token, and whether a process group is gone. */

export { freePort } from '../../server/components/free-port.js';

/** Data of a GraphQL request to `url` with `token`; throws on any error. */
export async function graphql(url: string, token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Every process of the group `pid` leads has exited. */
export function processGroupGone(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return false;
  } catch {
    return true;
  }
}
