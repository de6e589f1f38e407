/**
 * The RBAC attributes of the log's own operations (DESIGN §4, §7): reading the audit log (verb
 * `audit`), replay, and backup, at the cluster scope on the resource `log` of the API group
 * `kubeql.io`. system:masters (admin) may do all; a ClusterRole grants them to others, e.g.
 * { apiGroups: ["kubeql.io"], resources: ["log"], verbs: ["audit"] }.
 */
import type { Attributes } from '../auth/attributes.js';

const on = (verb: string): Attributes => ({ verb, apiGroup: 'kubeql.io', resource: 'log' });

export const AUDIT = on('audit');
export const REPLAY = on('replay');
export const BACKUP = on('backup');
