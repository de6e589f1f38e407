/**
 * A storm of pod creates from one identity, as a process of its own (so the test's process does not
 * throttle it): `node --import tsx test/support/write-storm.ts URL TOKEN NAMESPACE CONCURRENCY`.
 * Runs until stdin closes, then prints {"ok":n,"limited":n,"other":n} and exits.
 */
const [url, token, namespace, concurrency] = process.argv.slice(2);
const outcomes = { ok: 0, limited: 0, other: 0 };
let stop = false;
let n = 0;
const prefix = `s${process.pid}-`;
process.stdin.on('end', () => (stop = true));
process.stdin.on('close', () => (stop = true));
process.stdin.resume();

async function worker(): Promise<void> {
  while (!stop) {
    const body = JSON.stringify({
      query: `mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`,
      variables: { i: { metadata: { name: `${prefix}${n++}`, namespace }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
    });
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` }, body });
      await res.arrayBuffer();
      if (res.status === 429) outcomes.limited++;
      else if (res.ok) outcomes.ok++;
      else outcomes.other++;
    } catch {
      outcomes.other++;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

console.log('storming');
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify(outcomes));
process.exit(0);
