/** The scalars of DESIGN §4: Revision (a 53-bit JSON number), DateTime (RFC 3339 strings), JSON. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { JSONResolver } from 'graphql-scalars';

function toRevision(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new GraphQLError(`Revision must be a non-negative integer (a number or a string of digits), got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  return n;
}

export const RevisionScalar = new GraphQLScalarType({
  name: 'Revision',
  serialize: (value) => toRevision(value),
  parseValue: toRevision,
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return toRevision(ast.kind === Kind.INT ? Number(ast.value) : ast.value);
    throw new GraphQLError('Revision must be a number or a string of digits', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function toDateTime(value: unknown): string {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value)))
    throw new GraphQLError(`DateTime must be an RFC 3339 string, got ${JSON.stringify(value)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return value;
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: toDateTime,
  parseValue: toDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return toDateTime(ast.value);
  },
});

export const JSONScalar = JSONResolver;
