/** GraphQL types for the shapes of the kinds: object shapes become named types, maps and free JSON the JSON scalar. */
import type { Field, ObjectShape, Shape } from '../../resources/shape.js';

export function typeRef(shape: Shape): string {
  switch (shape.t) {
    case 'string':
      return 'String';
    case 'int':
      return 'Int';
    case 'bool':
      return 'Boolean';
    case 'dateTime':
      return 'DateTime';
    case 'json':
    case 'stringMap':
    case 'intOrString':
      return 'JSON';
    case 'array':
      return `[${typeRef(shape.of)}!]`;
    case 'object':
      return shape.name;
  }
}

export function fieldRef(field: Field): string {
  return field.required ? `${typeRef(field.shape)}!` : typeRef(field.shape);
}

/** Every named object shape reachable from `roots`, each once; two different shapes may not share a name. */
export function collectObjectShapes(roots: Shape[], into: Map<string, ObjectShape>): void {
  const visit = (shape: Shape) => {
    if (shape.t === 'array') return visit(shape.of);
    if (shape.t !== 'object') return;
    const seen = into.get(shape.name);
    if (seen === shape) return;
    if (seen) throw new Error(`two different shapes are named ${shape.name}`);
    into.set(shape.name, shape);
    for (const f of Object.values(shape.fields)) visit(f.shape);
  };
  roots.forEach(visit);
}

export function objectTypeSDL(shape: ObjectShape): string {
  const fields = Object.entries(shape.fields).map(([name, f]) => {
    const doc = f.description ? `  ${JSON.stringify(f.description)}\n` : '';
    return `${doc}  ${name}: ${fieldRef(f)}`;
  });
  return `type ${shape.name} {\n${fields.join('\n')}\n}`;
}
