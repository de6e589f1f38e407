import { describe, expect, it } from 'vitest';
import { formatQuotaAmount, quotaAmount } from '../../server/resources/quota/amounts.js';
import { chargesOf, missingPodResources } from '../../server/resources/quota/charges.js';
import { quotaCovers } from '../../server/resources/quota/scopes.js';
import { kindByName } from '../../server/resources/registry.js';
import type { KObject } from '../../server/resources/kind.js';
import type { Pod } from '../../server/resources/objects.js';

const pod = (spec: Record<string, unknown>, status: Record<string, unknown> = { phase: 'Pending' }, meta: Record<string, unknown> = {}): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', ...meta }, spec, status }) as unknown as Pod;
const container = (resources?: object) => ({ name: 'c', image: 'x', ...(resources ? { resources } : {}) });

describe('quota amounts', () => {
  it.each([
    ['requests.cpu', '500m', 500, '500m'],
    ['cpu', '2', 2000, '2'],
    ['limits.cpu', 1.5, 1500, '1500m'],
    ['limits.cpu', '1.0001m', 2, '2m'],
    ['requests.memory', '1Gi', 2 ** 30, '1Gi'],
    ['memory', '1536Mi', 1536 * 2 ** 20, '1536Mi'],
    ['memory', '128M', 128e6, '128M'],
    ['memory', '1000001', 1000001, '1000001'],
    ['requests.ephemeral-storage', '0', 0, '0'],
    ['pods', '10', 10, '10'],
    ['pods', '1k', 1000, '1000'],
    ['count/deployments.apps', 1024, 1024, '1024'],
  ])('%s %s → %d → %s', (name, value, amount, text) => {
    expect(quotaAmount(name, value)).toBe(amount);
    expect(formatQuotaAmount(name, amount)).toBe(text);
  });
});

describe('what an object charges', () => {
  it('a pod: counts, requests (defaulted from limits) summed over containers, at least the largest init container', () => {
    const p = pod({
      containers: [container({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m' } }), container({ limits: { cpu: '300m', memory: '128Mi' } })],
      initContainers: [container({ requests: { cpu: '1', memory: '1Mi' } })],
    });
    expect(chargesOf(kindByName('Pod')!, p)).toEqual({
      'count/pods': 1,
      pods: 1,
      'requests.cpu': 1000, // the init container's 1 beats 100m + 300m
      cpu: 1000,
      'requests.memory': 192 * 2 ** 20,
      memory: 192 * 2 ** 20,
      'limits.cpu': 500,
      'limits.memory': 128 * 2 ** 20,
    });
  });

  it('terminal pods and pods being deleted charge nothing', () => {
    const spec = { containers: [container()] };
    expect(chargesOf(kindByName('Pod')!, pod(spec, { phase: 'Succeeded' }))).toEqual({});
    expect(chargesOf(kindByName('Pod')!, pod(spec, { phase: 'Failed' }))).toEqual({});
    expect(chargesOf(kindByName('Pod')!, pod(spec, { phase: 'Running' }, { deletionTimestamp: '2024-01-01T00:00:00Z' }))).toEqual({});
  });

  it('other kinds: count/<resource>.<group>, services and their node ports', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] } } as unknown as KObject;
    expect(chargesOf(kindByName('Service')!, svc)).toEqual({ 'count/services': 1, services: 1, 'services.loadbalancers': 0, 'services.nodeports': 2 });
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' }, spec: {} } as unknown as KObject;
    expect(chargesOf(kindByName('Deployment')!, d)).toEqual({ 'count/deployments.apps': 1 });
  });

  it('with a compute quota, every container must name what it limits', () => {
    const p = pod({ containers: [container({ limits: { cpu: '1' } }), container({ requests: { memory: '1Mi' } })] });
    expect(missingPodResources(p, ['pods', 'requests.cpu', 'limits.memory', 'memory'])).toEqual(['limits.memory', 'memory', 'requests.cpu']);
  });
});

describe('quota scopes', () => {
  const quota = (spec: object) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec }) as unknown as KObject;
  const bestEffort = pod({ containers: [container()] });
  const burstable = pod({ containers: [container({ requests: { cpu: '1' } })], activeDeadlineSeconds: 30, priorityClassName: 'high' });
  it.each([
    [{}, true, true, true],
    [{ scopes: ['BestEffort'] }, true, false, false],
    [{ scopes: ['NotBestEffort'] }, false, true, false],
    [{ scopes: ['Terminating'] }, false, true, false],
    [{ scopes: ['NotTerminating', 'BestEffort'] }, true, false, false],
    [{ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }, false, true, false],
    [{ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'DoesNotExist' }] } }, true, false, false],
  ])('%j covers best-effort %s, burstable %s, a service %s', (spec, be, bu, svc) => {
    expect(quotaCovers(quota(spec), 'Pod', bestEffort)).toBe(be);
    expect(quotaCovers(quota(spec), 'Pod', burstable)).toBe(bu);
    expect(quotaCovers(quota(spec), 'Service', { metadata: {} } as KObject)).toBe(svc);
  });
});
