/** An API server as a child process of `npm start` or `npm run start:ha`: started, then awaited until it reports its URL and /readyz answers ok. */
import { startChildComponent, type ChildComponent } from './child-component.js';
import { waitUntilReady } from './wait-ready.js';
import { youngGenerationArgs } from './young-generation.js';

export interface ApiServerChild {
  component: ChildComponent;
  /** Its GraphQL URL (`http://127.0.0.1:8080/graphql`). */
  url: string;
}

function isListening(m: unknown): m is { type: 'listening'; url: string } {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'listening' && typeof (m as { url?: unknown }).url === 'string';
}

/** Starts `server/api/main` as `name` with `env` (PORT, DATA_DIR, ...). `started` gets the component at once, so a caller can stop it even when it never becomes ready. */
export async function startApiServerChild(name: string, env: Record<string, string | undefined>, started?: (component: ChildComponent) => void): Promise<ApiServerChild> {
  const component = startChildComponent(name, 'api/main', [], env, youngGenerationArgs());
  started?.(component);
  const url = await component.waitForMessage((m) => (isListening(m) ? m.url : undefined));
  await waitUntilReady(url.replace(/\/graphql$/, '/readyz'), { exited: component.exited });
  return { component, url };
}
