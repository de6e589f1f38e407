import { describe, expect, it } from 'vitest';
import { cloneJson } from '../../server/resources/clone-json.js';

describe('cloneJson copies JSON-shaped data as structuredClone does', () => {
  const samples: Array<[string, unknown]> = [
    ['a manifest', JSON.parse('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}]}],"x":null,"n":1.5,"t":true}}')],
    ['primitives', [1, 'a', true, false, null, 0, -0, 2 ** 53]],
    ['nested lists', [[[]], [{}], [[1, [2, [3]]]]]],
    ['an undefined value', { a: undefined, b: [undefined] }],
    ['an object without prototype', Object.assign(Object.create(null), { a: { b: 1 } })],
    ['a Date (left to structuredClone)', { at: new Date(0) }],
  ];

  it.each(samples)('%s', (_what, value) => {
    const copy = cloneJson(value);
    expect(copy).toStrictEqual(structuredClone(value));
    if (value !== null && typeof value === 'object') expect(copy).not.toBe(value);
  });

  it('shares nothing with the original', () => {
    const original = { spec: { containers: [{ name: 'c' }] } };
    const copy = cloneJson(original);
    copy.spec.containers[0].name = 'changed';
    copy.spec.containers.push({ name: 'more' });
    expect(original).toEqual({ spec: { containers: [{ name: 'c' }] } });
  });

  it('keeps an own "__proto__" key a key and the prototype Object.prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const copy = cloneJson(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(structuredClone(value)));
  });

  it('a Date stays a Date; a function throws as with structuredClone', () => {
    expect(cloneJson({ at: new Date(5) }).at).toEqual(new Date(5));
    expect(() => cloneJson({ f: () => 1 })).toThrow(/could not be cloned/);
  });
});
