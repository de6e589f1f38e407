/**
 * Controller references, as Kubernetes' ControllerRefManager: who controls an object, the reference
 * a controller puts on what it creates, and claiming (adopt matching orphans with a patch whose
 * precondition is the object's resourceVersion, release owned objects that stopped matching).
 */
import type { KObject, OwnerReference } from '../../resources/kind.js';
import type { KubeqlClient } from '../../client/client.js';
import type { LabelMatcher } from './label-selector-match.js';
import { isNotFound, patchObject } from './object-requests.js';

export function controllerOf(o: KObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** metav1.NewControllerRef. */
export function controllerRefTo(owner: KObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export interface ClaimOptions<T extends KObject> {
  owner: KObject;
  /** Candidates in the owner's namespace. */
  objects: T[];
  selects: LabelMatcher;
  client: KubeqlClient;
  /** RecheckDeletionTimestamp: a fresh read of the owner, before the first adoption. */
  fetchOwner(): Promise<KObject | undefined>;
}

/** ClaimObject for each candidate: returns the objects the owner controls (after adopting and releasing); throws the first error after trying all. */
export async function claimObjects<T extends KObject>(options: ClaimOptions<T>): Promise<T[]> {
  const { owner, client, selects } = options;
  const ownerDeleting = Boolean(owner.metadata.deletionTimestamp);
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let ownerChecked: Promise<void> | undefined;
  const canAdopt = () =>
    (ownerChecked ??= options.fetchOwner().then((fresh) => {
      if (!fresh || fresh.metadata.uid !== owner.metadata.uid)
        throw new Error(`original ${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name} is gone: got uid ${fresh?.metadata.uid}, wanted ${owner.metadata.uid}`);
      if (fresh.metadata.deletionTimestamp)
        throw new Error(`${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }));

  await Promise.all(
    options.objects.map(async (o) => {
      const ref = controllerOf(o);
      const matches = selects(o.metadata.labels);
      try {
        if (ref) {
          if (ref.uid !== owner.metadata.uid) return; // someone else's
          if (matches) return void claimed.push(o);
          if (ownerDeleting) return;
          // Ours, but the selector no longer matches: release it.
          const remaining = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
          await patchObject(client, o, { metadata: { ownerReferences: remaining.length ? remaining : null } }, o.metadata.resourceVersion);
          return;
        }
        // An orphan: adopt it if it matches, unless either side is being deleted.
        if (ownerDeleting || !matches || o.metadata.deletionTimestamp || o.metadata.namespace !== owner.metadata.namespace) return;
        await canAdopt();
        const patch = { metadata: { ownerReferences: [...(o.metadata.ownerReferences ?? []), controllerRefTo(owner)] } };
        const adopted = await patchObject(client, o, patch, o.metadata.resourceVersion);
        claimed.push(adopted);
      } catch (e) {
        if (!isNotFound(e)) errors.push(e);
      }
    }),
  );
  if (errors.length > 0) throw errors[0];
  return claimed;
}
