/**
 * The `apply` mutation (DESIGN §4): multi-document YAML applied all or nothing, kubectl's
 * client-side apply on the server. For kq apply and any component that applies manifests.
 */
import type { KubeqlClient } from './client.js';
import { objectClientOf, type ObjectClient } from './object-client.js';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

/** One document's outcome, in the order of the documents. */
export interface AppliedObject {
  kind: string;
  namespace: string | null;
  name: string;
  action: ApplyAction;
  /** The object's revision after the apply (unchanged: its current one); null on a dry run that would create it. */
  revision: number | null;
}

export interface ApplyResult {
  /** The head of the log after the apply. */
  revision: number;
  objects: AppliedObject[];
  /** Unknown fields kept verbatim, per document (`manifests[1]: unknown field "spec.foo"`). */
  warnings: string[];
}

export interface ApplyOptions {
  /** Validate and report what would change, writing nothing. */
  dryRun?: boolean;
}

const APPLY = `mutation($manifests: String!, $dryRun: Boolean) {
  apply(manifests: $manifests, dryRun: $dryRun) { revision objects { kind namespace name action revision } warnings } }`;

/** Applies `manifests` (YAML or JSON documents separated by `---`); a bad document fails them all with BAD_USER_INPUT naming it. */
export async function applyManifests(client: KubeqlClient | ObjectClient, manifests: string, options: ApplyOptions = {}): Promise<ApplyResult> {
  const data = await objectClientOf(client).graphql.request<{ apply: ApplyResult }>(APPLY, { manifests, dryRun: options.dryRun ?? false });
  return data.apply;
}
