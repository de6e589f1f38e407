/** `kq`: the Kubeql command line (run by bin/kq.js, or `node --import tsx server/cli/main.ts`). */
import { runCli } from './run.js';

// `kq get pods | head`: a closed pipe ends the output quietly, as kubectl does.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await runCli(process.argv.slice(2), {
  stdout: { write: (text) => void process.stdout.write(text), isTTY: Boolean(process.stdout.isTTY) },
  stderr: { write: (text) => void process.stderr.write(text), isTTY: Boolean(process.stderr.isTTY) },
  stdin: process.stdin,
  env: process.env,
});
process.exit(code);
