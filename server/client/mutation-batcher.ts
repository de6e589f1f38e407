/**
 * Coalesces concurrent calls of one mutation into GraphQL documents of up to `maxBatch` aliased
 * fields (`m0: bindPod(...) m1: bindPod(...)`), at most `maxInFlight` documents at a time: under
 * load the server parses and authenticates a batch per request instead of a request per call;
 * when idle a call goes out alone at once. Each call succeeds or fails on its own. The mutation's
 * field must be non-null (every Kubeql mutation is): mutations run in order, and a field's error
 * (its `path` names the alias) nulls the whole `data` and ends the document, so that call is
 * rejected, the calls before it succeeded, and the calls after it, which never ran, go out again
 * in the next document. An error of the whole document (or the transport) rejects every call in
 * it. A call resolves with its field's value (the `selection` of its result); when a later field
 * failed, the document's `data` is null and the calls before it resolve with undefined.
 */
import type { KubeqlClient } from './client.js';
import { ClientError } from './client-error.js';

export interface MutationBatcherOptions {
  /** Fields per document (default 25; the server allows 30 aliases). */
  maxBatch?: number;
  /** Documents in flight (default 8). */
  maxInFlight?: number;
  /** How long a call may wait for others to share its document (default 0: the same turn of the event loop only). */
  lingerMs?: number;
}

interface Call {
  args: Record<string, unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * `field` is the mutation (`bindPod`), `argTypes` its arguments' GraphQL types
 * (`{ namespace: 'String!', nodeName: 'String!' }`), `selection` what to ask back (`metadata { name }`).
 */
export function createMutationBatcher(client: KubeqlClient, field: string, argTypes: Record<string, string>, selection: string, options: MutationBatcherOptions = {}) {
  const maxBatch = Math.max(1, options.maxBatch ?? 25);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 8);
  const lingerMs = options.lingerMs ?? 0;
  const names = Object.keys(argTypes);
  const documents = new Map<number, string>();
  const queue: Call[] = [];
  let inFlight = 0;
  let scheduled = false;

  function document(n: number): string {
    let doc = documents.get(n);
    if (!doc) {
      const vars: string[] = [];
      const fields: string[] = [];
      for (let i = 0; i < n; i++) {
        for (const a of names) vars.push(`$${a}${i}: ${argTypes[a]}`);
        fields.push(`m${i}: ${field}(${names.map((a) => `${a}: $${a}${i}`).join(', ')}) { ${selection} }`);
      }
      documents.set(n, (doc = `mutation(${vars.join(', ')}) { ${fields.join(' ')} }`));
    }
    return doc;
  }

  async function send(batch: Call[]): Promise<void> {
    const variables: Record<string, unknown> = {};
    batch.forEach((call, i) => {
      for (const a of names) if (call.args[a] !== undefined) variables[`${a}${i}`] = call.args[a];
    });
    try {
      const data = (await client.request(document(batch.length), variables)) as Record<string, unknown> | null | undefined;
      batch.forEach((call, i) => call.resolve(data?.[`m${i}`]));
    } catch (error) {
      // The first field that failed: the document stopped there.
      let failed: { index: number; error: ClientError } | undefined;
      let whole = !(error instanceof ClientError) || error.errors.length === 0;
      if (error instanceof ClientError)
        for (const e of error.errors) {
          const alias = (e as { path?: unknown[] }).path?.[0];
          const m = typeof alias === 'string' ? /^m(\d+)$/.exec(alias) : null;
          if (!m) whole = true;
          else if (!failed || Number(m[1]) < failed.index) failed = { index: Number(m[1]), error: new ClientError([e]) };
        }
      if (whole || !failed) return batch.forEach((call) => call.reject(error));
      const stoppedAt = failed.index;
      batch.slice(0, stoppedAt).forEach((call) => call.resolve(undefined));
      batch[stoppedAt].reject(failed.error);
      queue.unshift(...batch.slice(stoppedAt + 1));
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void send(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    /** Runs the mutation with `args`; resolves when it succeeded (with its field's value, when the answer has it), rejects with its error. */
    call(args: Record<string, unknown>): Promise<unknown> {
      return new Promise((resolve, reject) => {
        queue.push({ args, resolve, reject });
        // Calls made in the same turn of the event loop (or within lingerMs) go out together.
        if (scheduled) return;
        scheduled = true;
        const go = () => {
          scheduled = false;
          pump();
        };
        if (lingerMs > 0 && queue.length < maxBatch) setTimeout(go, lingerMs);
        else queueMicrotask(go);
      });
    },
    pending: () => queue.length + inFlight,
  };
}

export type MutationBatcher = ReturnType<typeof createMutationBatcher>;
