/**
 * Request bodies of the REST API: read up to the body limit (413 RequestEntityTooLarge past it,
 * counted as it streams in, whatever Content-Length says), then parsed by media type: JSON, or YAML
 * (one document, aliases bounded) as Kubernetes accepts it.
 */
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { PROTOBUF, decodeProtobufBody } from './protobuf.js';
import { RestError, badRequest } from './status.js';

function tooLarge(limit: number): RestError {
  return new RestError(413, 'RequestEntityTooLarge', `the request body is larger than the limit of ${limit} bytes`);
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
    req.on('error', (e) => !failed && reject(e));
  });
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** An object body (create, update, reviews) in JSON or YAML. */
export function parseObjectBody(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === PROTOBUF) return decodeProtobufBody(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty: an object is required');
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') {
    const doc = parseDocument(text);
    if (doc.errors.length) throw badRequest(`the request body is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    try {
      return doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw badRequest(`the request body is not valid YAML: ${(e as Error).message}`);
    }
  }
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(text);
  throw new RestError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}
