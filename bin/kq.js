#!/usr/bin/env node
// kq, the Kubeql command line: runs server/cli/main.ts through tsx's loader (`npx kq` after `npm ci`).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../server/cli/main.ts', import.meta.url).href);
