/**
 * The API server's processes run their libraries in production mode unless NODE_ENV says otherwise
 * (an operator's or a test runner's value is kept). Imported first by the entry points, since
 * libraries read NODE_ENV as they load: outside production, graphql-js inspects every `instanceof`
 * test of its types that fails, looking for a second copy of itself (a development aid), and that was
 * about 2% of the server's CPU samples under the write benchmark.
 */
process.env.NODE_ENV ??= 'production';

export {};
