import { describe, expect, it } from 'vitest';
import { checkShape, int, obj, req, str, type ShapeReport } from '../../server/resources/shape.js';

/** checkShape: structural errors in declared order with their paths, and the fields a shape does not know. */
const Container = obj('ContainerT', { name: req(str()), image: str(), port: int(1, 65535) });
const Spec = obj('SpecT', { replicas: int(0), containers: { shape: { t: 'array', of: Container } }, mode: str(['A', 'B']) });

function check(value: unknown): ShapeReport {
  const report: ShapeReport = { errors: [], unknown: [] };
  checkShape(Spec, value, 'spec', report);
  return report;
}

describe('checkShape', () => {
  it('reports errors in the order the shape declares its fields, with paths, and a required field that is absent or null', () => {
    const report = check({ mode: 'C', containers: [{ image: 1 }, { name: null, port: 0 }, { name: 'ok', port: 80 }], replicas: -1 });
    expect(report.errors).toEqual([
      { path: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
      { path: 'spec.containers[0].name', message: 'Required value' },
      { path: 'spec.containers[0].image', message: 'must be a string' },
      { path: 'spec.containers[1].name', message: 'Required value' },
      { path: 'spec.containers[1].port', message: 'Invalid value: 0: must be greater than or equal to 1' },
      { path: 'spec.mode', message: 'Unsupported value: "C": supported values: "A", "B"' },
    ]);
    expect(report.unknown).toEqual([]);
    expect(check({ containers: [{ name: 'a' }] })).toEqual({ errors: [], unknown: [] });
  });

  it('names undeclared fields, those called like Object.prototype members too (they were taken for declared ones)', () => {
    const value = JSON.parse('{"replica": 1, "constructor": 2, "toString": "x", "__proto__": {"a": 1}, "hasOwnProperty": true, "containers": [{"name": "a", "valueOf": 1}]}');
    const report = check(value);
    expect(report.errors).toEqual([]);
    // A declared field's own unknown fields come as it is walked, then the object's.
    expect(report.unknown).toEqual(['spec.containers[0].valueOf', 'spec.replica', 'spec.constructor', 'spec.toString', 'spec.__proto__', 'spec.hasOwnProperty']);
  });
});
