import { describe, expect, it } from 'vitest';
import { ADMIN, identityClass, nodeIdentity, serviceAccountIdentity } from '../../server/api/auth/identity.js';

describe('identityClass (a metric label: what kind of client, never who)', () => {
  it('classes nodes, service accounts and users by name and group together', () => {
    expect(identityClass(nodeIdentity('node-1'))).toBe('node');
    expect(identityClass(serviceAccountIdentity('kube-system', 'kube-scheduler'))).toBe('serviceaccount');
    expect(identityClass(ADMIN)).toBe('user');
    // A user whose name only looks like a node's or a service account's (a static token file can name anyone) is a user.
    expect(identityClass({ name: 'system:node:node-1', groups: ['system:authenticated'] })).toBe('user');
    expect(identityClass({ name: 'system:serviceaccount:default:x', groups: ['system:authenticated'] })).toBe('user');
    expect(identityClass({ name: 'someone', groups: ['system:nodes', 'system:authenticated'] })).toBe('user');
  });
});
