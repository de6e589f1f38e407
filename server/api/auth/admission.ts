/** What a request's writes pass before they are appended: RBAC escalation prevention, then NodeRestriction. */
import { escalationCheck, type Admission } from './escalation.js';
import type { Guard } from './guard.js';
import { checkNodeRestriction } from './node-restriction.js';

export function admissionFor(guard: Guard): Admission {
  const escalation = escalationCheck(guard);
  return (read, kind, next, current, path) => {
    escalation(read, kind, next, current, path);
    checkNodeRestriction(guard, kind, next, current, path);
  };
}
