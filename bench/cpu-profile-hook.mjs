/**
 * Preloaded into a benchmark's server (NODE_OPTIONS=--import=…): samples the process's CPU with the
 * inspector and writes a .cpuprofile into $CPU_PROFILE_DIR when it exits. node's own --cpu-prof is
 * not allowed in NODE_OPTIONS, and the server is started by bench/child-server.ts.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  // An in-thread session answers synchronously, so the profile is written before the process ends.
  process.on('exit', () =>
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    }),
  );
}
