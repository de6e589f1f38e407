/** KUBEQL_SEMI_SPACE_MB: V8's semi-space size for the plane's processes (the flag itself is checked on a running plane in e2e/npm-start). */
import { describe, expect, it } from 'vitest';
import { youngGenerationArgs } from '../../server/components/young-generation.js';

describe('the plane processes\' young generation', () => {
  it('is 64 MiB by default, what the setting says otherwise, and V8\'s own at 0', () => {
    expect(youngGenerationArgs({})).toEqual(['--max-semi-space-size=64']);
    expect(youngGenerationArgs({ KUBEQL_SEMI_SPACE_MB: '' })).toEqual(['--max-semi-space-size=64']);
    expect(youngGenerationArgs({ KUBEQL_SEMI_SPACE_MB: '32' })).toEqual(['--max-semi-space-size=32']);
    expect(youngGenerationArgs({ KUBEQL_SEMI_SPACE_MB: '0' })).toEqual([]);
  });

  it('refuses anything but a whole number of MiB up to 1,024, naming the setting', () => {
    for (const bad of ['abc', '-1', '1.5', '1025', '1e1', ' 64', '64 --inspect', '0x40', 'Infinity', 'NaN', '00000064']) {
      expect(() => youngGenerationArgs({ KUBEQL_SEMI_SPACE_MB: bad }), bad).toThrow(/KUBEQL_SEMI_SPACE_MB must be a whole number of MiB/);
    }
  });
});
