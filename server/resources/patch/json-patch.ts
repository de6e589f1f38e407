/**
 * JSON patch (RFC 6902), as `kubectl patch --type json`: a list of operations applied in order by
 * the `rfc6902` library, all or nothing. A malformed operation, a path that does not exist or a
 * failing `test` is a PatchError naming the operation by its index.
 */
import { cloneJson } from '../clone-json.js';
import { applyPatch, type Operation } from 'rfc6902';
import { isMap, type Json, type JsonMap } from './json-value.js';
import { PatchError } from './patch-error.js';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
/** Tokens the library walks past instead of into (it guards the prototype chain so): refused, not misapplied. */
const UNSAFE_TOKENS = new Set(['__proto__', 'constructor', 'prototype']);

function checkPointer(value: unknown, member: string, at: string): void {
  if (typeof value !== 'string') throw new PatchError(`${at}: "${member}" must be a JSON pointer string`, at);
  if (value !== '' && !value.startsWith('/')) throw new PatchError(`${at}: "${member}" ${JSON.stringify(value)} is not a JSON pointer (it must start with "/")`, at);
  for (const token of value.split('/').slice(1)) {
    const t = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (UNSAFE_TOKENS.has(t)) throw new PatchError(`${at}: "${member}" ${JSON.stringify(value)}: the key ${JSON.stringify(t)} is not supported in a JSON patch`, at);
  }
}

function describe(op: JsonMap): string {
  const from = typeof op.from === 'string' ? ` from ${op.from}` : '';
  return `${String(op.op)} ${String(op.path)}${from}`;
}

function testFailure(actual: Json | undefined, expected: Json): string {
  if (actual === undefined) return 'test failed: the path does not exist';
  return `test failed: the value is ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`;
}

/** Applies a JSON patch to a copy of the object and returns it. */
export function jsonPatch(object: JsonMap, patch: unknown): JsonMap {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be a list of operations');
  const doc = cloneJson(object);
  patch.forEach((op: unknown, i) => {
    const at = `[${i}]`;
    if (!isMap(op)) throw new PatchError(`${at}: an operation must be an object`, at);
    if (typeof op.op !== 'string' || !OPS.has(op.op)) throw new PatchError(`${at}: "op" must be one of add, remove, replace, move, copy, test`, at);
    checkPointer(op.path, 'path', at);
    if (op.op === 'move' || op.op === 'copy') checkPointer(op.from, 'from', at);
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !Object.hasOwn(op, 'value'))
      throw new PatchError(`${at} (${describe(op)}): "value" is required`, at);
    if (op.path === '') throw new PatchError(`${at} (${describe(op)}): the whole object cannot be ${op.op === 'test' ? 'tested' : 'replaced'}; name a field`, at);
    let result: ReturnType<typeof applyPatch>[number];
    try {
      [result] = applyPatch(doc, [op as unknown as Operation]);
    } catch (e) {
      throw new PatchError(`${at} (${describe(op)}): ${(e as Error).message}`, at);
    }
    if (result) {
      const reason =
        result.name === 'TestError'
          ? testFailure((result as unknown as { actual: Json | undefined }).actual, op.value)
          : result.name === 'MissingError'
            ? 'the path does not exist'
            : result.message;
      throw new PatchError(`${at} (${describe(op)}): ${reason}`, at);
    }
  });
  return doc;
}
