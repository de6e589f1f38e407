#!/usr/bin/env node
// kq, the Kubeql command line: runs the compiled CLI (dist/cli/main.js, built by `npm ci` or `npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('kq: the CLI is not compiled yet: run `npm run build` in the Kubeql checkout\n');
  process.exit(1);
}
await import(main.href);
