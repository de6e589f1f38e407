/** KUBEQL_CLIENT_HEAP_MB: V8's old space for the controller-manager, the scheduler and the agents. */
import { describe, expect, it } from 'vitest';
import { clientHeapArgs } from '../../server/components/client-heap.js';

describe("the plane clients' old space", () => {
  it("is 2,000 MiB by default, what the setting says otherwise, and V8's own at 0", () => {
    expect(clientHeapArgs({})).toEqual(['--max-old-space-size=2000']);
    expect(clientHeapArgs({ KUBEQL_CLIENT_HEAP_MB: '' })).toEqual(['--max-old-space-size=2000']);
    expect(clientHeapArgs({ KUBEQL_CLIENT_HEAP_MB: '4096' })).toEqual(['--max-old-space-size=4096']);
    expect(clientHeapArgs({ KUBEQL_CLIENT_HEAP_MB: '0' })).toEqual([]);
  });

  it('refuses anything but a whole number of MiB up to 1 TiB, naming the setting', () => {
    for (const bad of ['abc', '-1', '1.5', '1048577', '99999999', '1e3', ' 64', '64 --inspect', '0x40', 'Infinity', 'NaN']) {
      expect(() => clientHeapArgs({ KUBEQL_CLIENT_HEAP_MB: bad }), bad).toThrow(/KUBEQL_CLIENT_HEAP_MB must be a whole number of MiB/);
    }
  });
});
