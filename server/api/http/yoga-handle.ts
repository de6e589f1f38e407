/**
 * yoga's handling of one request whose body is already read, step for step as its server adapter
 * and `handle` do it (graphql-yoga 5.24, @whatwg-node/server 0.11): the plugins' request hooks;
 * request parsing (parse hooks, parser, done hooks); the per-operation pipeline
 * (`getResultForParams`: params hooks, the envelop plugins through getEnveloped — parse, validate,
 * context, execute, error masking — and execution-result hooks); result processing; the response
 * hooks. What it leaves out is the promise-helper chaining between those steps, which costs more
 * than the steps themselves on a small request; a hook that returns a promise is awaited.
 */
import { handleYogaError, type MaskedErrorsOptions } from './yoga-errors.js';

type Hook = (payload: Record<string, unknown>) => unknown;
type AnyResponse = Response;

/** What of a yoga instance this uses (its adapter's proxy exposes the server's members too). */
interface YogaInternals {
  plugins: Array<Record<string, unknown> | undefined>;
  fetchAPI: { Response: typeof Response; URL: typeof URL };
  logger: Parameters<typeof handleYogaError>[2];
  maskedErrorsOpts: MaskedErrorsOptions | null;
  onRequestParseHooks: Hook[];
  onResultProcessHooks: Hook[];
  instrumentation?: unknown;
  getResultForParams(payload: { params: unknown; request: unknown }, serverContext: unknown): unknown;
}
type RequestParser = (request: unknown) => unknown;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value != null && typeof (value as { then?: unknown }).then === 'function';

/** yoga's test for a parser that answered with a Response. */
const isResponse = (value: unknown): value is AnyResponse => !!(value as AnyResponse)?.status && !!(value as AnyResponse)?.headers;

/** The (current) request's URL, parsed when a hook reads it (as yoga and its adapter hand it to hooks). */
function lazyUrl(request: () => unknown, URLClass: typeof URL): unknown {
  return new Proxy(
    {},
    {
      get(_target, prop) {
        const url = new URLClass((request() as { url: string }).url, 'http://localhost');
        return Reflect.get(url, prop, url);
      },
    },
  );
}

/** A handler for requests as yoga answers them, or undefined when yoga is instrumented (its traces wrap each step). */
export function leanYogaHandler(yoga: unknown): ((request: unknown, serverContext: Record<string, unknown>) => Promise<AnyResponse>) | undefined {
  const y = yoga as YogaInternals;
  const plugins = y.plugins.filter((p): p is Record<string, unknown> => p != null);
  if (y.instrumentation || plugins.some((p) => p.instrumentation)) return undefined;
  const onRequest = plugins.filter((p) => p.onRequest).map((p) => p.onRequest as Hook);
  const onResponse = plugins.filter((p) => p.onResponse).map((p) => p.onResponse as Hook);
  const onRequestParse = y.onRequestParseHooks;
  const onResultProcess = y.onResultProcessHooks;
  // Read once: the adapter's proxy builds a new function on every read of a method.
  const getResultForParams = y.getResultForParams;
  const fetchAPI = y.fetchAPI;
  const logger = y.logger;
  const masked = y.maskedErrorsOpts;

  /** yoga's parseRequest: the request-parse hooks choose a parser (or answer), the parser reads the params, the hooks' done callbacks see them. */
  async function parseRequest(request: unknown, serverContext: unknown): Promise<{ response?: AnyResponse; params?: unknown }> {
    const url = lazyUrl(() => request, fetchAPI.URL);
    let requestParser: RequestParser | undefined;
    let response: AnyResponse | undefined;
    const done: Hook[] = [];
    let ended = false;
    // One payload for every hook (yoga makes one each, with the same contents).
    const payload = {
      request,
      url,
      requestParser,
      serverContext,
      setRequestParser(parser: RequestParser) {
        requestParser = parser;
      },
      endResponse(newResponse: AnyResponse) {
        response = newResponse;
        ended = true;
      },
      fetchAPI,
    };
    for (const hook of onRequestParse) {
      payload.requestParser = requestParser;
      let returned = hook(payload);
      if (isThenable(returned)) returned = await returned;
      const onDone = (returned as { onRequestParseDone?: Hook } | undefined)?.onRequestParseDone;
      if (onDone) done.push(onDone);
      if (ended) break;
    }
    if (response) return { response };
    if (!requestParser) return { response: new fetchAPI.Response(null, { status: 415, statusText: 'Unsupported Media Type' }) };
    let params = requestParser(request);
    if (isThenable(params)) params = await params;
    if (isResponse(params)) return { response: params };
    for (const onDone of done) {
      const returned = onDone({
        requestParserResult: params,
        setRequestParserResult(newParams: unknown) {
          params = newParams;
        },
      });
      if (isThenable(returned)) await returned;
    }
    return { params };
  }

  /** yoga's processResult: the result processor the hooks choose, or 406. */
  async function processResult(request: unknown, result: unknown, serverContext: unknown): Promise<AnyResponse> {
    let processor: ((result: unknown, fetchAPI: unknown, mediaType: string) => AnyResponse) | undefined;
    let mediaType = '*/*';
    const acceptableMediaTypes: string[] = [];
    for (const hook of onResultProcess) {
      const returned = hook({
        request,
        acceptableMediaTypes,
        result,
        setResult(newResult: unknown) {
          result = newResult;
        },
        resultProcessor: processor,
        setResultProcessor(newProcessor: typeof processor, newMediaType: string) {
          processor = newProcessor;
          mediaType = newMediaType;
        },
        serverContext,
      });
      if (isThenable(returned)) await returned;
    }
    if (!processor)
      return new fetchAPI.Response(null, { status: 406, statusText: 'Not Acceptable', headers: { accept: acceptableMediaTypes.join('; charset=utf-8, ') } });
    return processor(result, fetchAPI, mediaType);
  }

  /** yoga's `handle`. */
  async function handle(request: unknown, serverContext: Record<string, unknown>): Promise<AnyResponse> {
    try {
      const { response, params } = await parseRequest(request, serverContext);
      if (response) return response;
      const result = Array.isArray(params)
        ? await Promise.all(
            params.map((p) =>
              Promise.resolve()
                .then(() => getResultForParams({ params: p, request }, Object.create(serverContext)))
                .catch((error: unknown) => ({ errors: handleYogaError(error, masked, logger) })),
            ),
          )
        : await getResultForParams({ params, request }, serverContext);
      return await processResult(request, result, serverContext);
    } catch (error) {
      return processResult(request, { errors: handleYogaError(error, masked, logger) }, serverContext);
    }
  }

  /** The server adapter's request handling around `handle`: request hooks (which may answer), then response hooks. */
  return async function handleRequest(request, serverContext) {
    let response: AnyResponse | undefined;
    let requestHandler: (request: unknown, serverContext: Record<string, unknown>) => unknown = handle;
    let stop = false;
    const payload = {
      request,
      setRequest(newRequest: unknown) {
        request = newRequest;
      },
      serverContext,
      fetchAPI,
      url: lazyUrl(() => request, fetchAPI.URL),
      requestHandler,
      setRequestHandler(newHandler: typeof requestHandler) {
        requestHandler = newHandler;
      },
      endResponse(newResponse: AnyResponse | undefined) {
        response = newResponse;
        if (newResponse) stop = true;
      },
    };
    for (const hook of onRequest) {
      payload.request = request;
      payload.requestHandler = requestHandler;
      const returned = hook(payload);
      if (isThenable(returned)) await returned;
      if (stop) break;
    }
    response ??= (await requestHandler(request, serverContext)) as AnyResponse;
    for (const hook of onResponse) {
      const returned = hook({
        request,
        response,
        serverContext,
        setResponse(newResponse: AnyResponse) {
          response = newResponse;
        },
        fetchAPI,
      });
      if (isThenable(returned)) await returned;
    }
    return response;
  };
}
