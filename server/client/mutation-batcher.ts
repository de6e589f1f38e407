/**
 * Coalesces concurrent calls of a mutation (or of several: createDocumentBatcher) into GraphQL
 * documents of up to `maxBatch` aliased fields (`m0: bindPod(...) m1: bindPod(...)`), at most
 * `maxInFlight` documents at a time: under load the server parses and authenticates a batch per request instead of a request per call;
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

/** A mutation field as documents ask for it. */
interface Lane {
  field: string;
  names: string[];
  argTypes: Record<string, string>;
  selection: string;
  /** Its place among the batcher's lanes: fields go into a document in this order. */
  order: number;
}

interface Call {
  lane: Lane;
  args: Record<string, unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Calls of one mutation field (`DocumentBatcher.mutation`). */
export interface MutationBatcher {
  /** Runs the mutation with `args`; resolves when it succeeded (with its field's value, when the answer has it), rejects with its error. */
  call(args: Record<string, unknown>): Promise<unknown>;
  /** Calls of the whole batcher (every field) queued or in flight. */
  pending(): number;
}

/** Documents shared by the calls of several mutation fields (one client, so one identity). */
export interface DocumentBatcher {
  /**
   * The calls of `field`, whose arguments have the GraphQL types `argTypes`
   * (`{ namespace: 'String!', nodeName: 'String!' }`), asking back `selection` (`metadata { name }`).
   */
  mutation(field: string, argTypes: Record<string, string>, selection: string): MutationBatcher;
  pending(): number;
}

/**
 * Calls of several mutation fields coalesced into shared documents, as `createMutationBatcher`
 * coalesces one field's: a simulated kubelet's pod status write and the Events it records about
 * the pod go to the server as one request. In a document the fields come in the order their
 * lanes were made (calls of one field keep their order), so the documents a batcher sends are few
 * distinct texts (the server parses and validates each once) whatever order the calls came in.
 */
export function createDocumentBatcher(client: KubeqlClient, options: MutationBatcherOptions = {}): DocumentBatcher {
  const maxBatch = Math.max(1, options.maxBatch ?? 25);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 8);
  const lingerMs = options.lingerMs ?? 0;
  const lanes = new Map<string, Lane>();
  /** Document texts by their fields' lanes in order (`0,0,2`). */
  const documents = new Map<string, string>();
  const queue: Call[] = [];
  let inFlight = 0;
  let scheduled = false;

  function document(batch: Call[]): string {
    const key = batch.map((call) => call.lane.order).join(',');
    let doc = documents.get(key);
    if (!doc) {
      const vars: string[] = [];
      const fields: string[] = [];
      batch.forEach(({ lane }, i) => {
        for (const a of lane.names) vars.push(`$${a}${i}: ${lane.argTypes[a]}`);
        fields.push(`m${i}: ${lane.field}(${lane.names.map((a) => `${a}: $${a}${i}`).join(', ')}) { ${lane.selection} }`);
      });
      documents.set(key, (doc = `mutation(${vars.join(', ')}) { ${fields.join(' ')} }`));
    }
    return doc;
  }

  async function send(batch: Call[]): Promise<void> {
    const variables: Record<string, unknown> = {};
    batch.forEach((call, i) => {
      for (const a of call.lane.names) if (call.args[a] !== undefined) variables[`${a}${i}`] = call.args[a];
    });
    try {
      // Calls that all carry requestIds may run twice without harm: the client may retry them on another server.
      const idempotent = batch.every((call) => call.lane.names.includes('requestId') && call.args.requestId !== undefined);
      const data = (await client.request(document(batch), variables, { idempotent })) as Record<string, unknown> | null | undefined;
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
      // Sorted by lane, stably: a field's calls keep their order.
      const batch = queue.splice(0, maxBatch).sort((a, b) => a.lane.order - b.lane.order);
      inFlight++;
      void send(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  const pending = () => queue.length + inFlight;
  return {
    mutation(field, argTypes, selection) {
      // One lane per distinct field, arguments and selection, however many users ask for it (the
      // recorders of the nodes sharing a client): the documents' texts stay bounded by the fields.
      const key = JSON.stringify([field, argTypes, selection]);
      let lane = lanes.get(key);
      if (!lane) lanes.set(key, (lane = { field, names: Object.keys(argTypes), argTypes, selection, order: lanes.size }));
      const own = lane;
      return {
        call(args) {
          return new Promise((resolve, reject) => {
            queue.push({ lane: own, args, resolve, reject });
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
        pending,
      };
    },
    pending,
  };
}

/**
 * `field` is the mutation (`bindPod`), `argTypes` its arguments' GraphQL types
 * (`{ namespace: 'String!', nodeName: 'String!' }`), `selection` what to ask back (`metadata { name }`).
 */
export function createMutationBatcher(client: KubeqlClient, field: string, argTypes: Record<string, string>, selection: string, options: MutationBatcherOptions = {}): MutationBatcher {
  return createDocumentBatcher(client, options).mutation(field, argTypes, selection);
}
