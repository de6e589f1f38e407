/**
 * vitest globalSetup: compiles server/ to dist/ once, before any test file runs, when it is older
 * than the sources. The spawned components and kq run the compiled build; building here keeps the
 * compile out of every test's time budget and away from tests running at the same time.
 */
import { ensureBuilt } from './build.js';

export default function setup(): void {
  ensureBuilt();
  // Inherited by the test workers, forked after this.
  process.env.KUBEQL_TEST_BUILD = 'done';
}
