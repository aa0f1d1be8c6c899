/**
 * GetObject, HeadObject, PutObject and DeleteObject.
 */
import type { AuthorizedObject } from '../authorize.ts';
import type { PutResult } from '../backend.ts';
import { RangeNotSatisfiableError } from '../backend-errors.ts';
import { type Body, bytesBody } from '../body.ts';
import { S3Error } from '../errors/s3-error.ts';
import { requestedChecksum, verifyChecksum } from '../checksums/checksums.ts';
import type { GatewayResponse, HeaderMap } from '../http.ts';
import { objectHeaders } from '../s3/object-headers.ts';
import type { OperationOf } from '../s3/operation.ts';
import { resolveRange } from '../s3/range.ts';
import type { RequestContext } from './context.ts';
import { verifyContentMd5 } from './content-md5.ts';
import { watchBody } from './watched-body.ts';

export async function getOrHeadObject(
  ctx: RequestContext,
  op: OperationOf<'GetObject' | 'HeadObject'>,
  { backend, key }: AuthorizedObject,
): Promise<GatewayResponse> {
  if (ctx.identity.kind === 'anonymous' && Object.keys(op.overrides).length > 0) {
    throw new S3Error('InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.');
  }
  // The signal is read only by backends that need it: on Node it is created on first use.
  const req = ctx.req;
  if (op.name === 'HeadObject') {
    // HEAD honours Range as GET does (206 with the range's headers), without opening the body.
    const info = await backend.head(key, { conditions: op.conditions, get signal() { return req.signal; } });
    const range = op.range && resolveRange(op.range, info.size);
    if (range === 'unsatisfiable') throw new RangeNotSatisfiableError(info.size);
    return { status: range ? 206 : 200, headers: objectHeaders(info, range, op.overrides) };
  }
  const result = await backend.get(key, { range: op.range, conditions: op.conditions, get signal() { return req.signal; } });
  return {
    status: result.range ? 206 : 200,
    headers: objectHeaders(result.info, result.range, op.overrides),
    body: result.body,
  };
}

export async function putObject(ctx: RequestContext, op: OperationOf<'PutObject'>, { backend, key }: AuthorizedObject): Promise<GatewayResponse> {
  let body: Body | undefined = ctx.req.body;
  if (!body) {
    if (op.contentLength !== undefined && op.contentLength > 0) throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
    body = bytesBody('');
  }
  if (op.contentMd5 !== undefined) body = verifyContentMd5(body, op.contentMd5);
  const checksumRequest = requestedChecksum(ctx.req.headers, ctx.trailers ?? (() => undefined));
  const checksum = checksumRequest && verifyChecksum(body, checksumRequest);
  const watched = watchBody(checksum?.stream ?? body);
  let result: PutResult;
  try {
    result = await backend.put(key, watched.stream, op.metadata, { signal: ctx.req.signal, contentLength: op.contentLength });
  } catch (error) {
    throw watched.failure() ?? error;
  }
  await watched.finish();
  const headers: HeaderMap = { etag: result.etag, 'content-length': '0' };
  const computed = checksum?.computed();
  if (checksum && computed !== undefined) headers[checksum.header] = computed;
  return { status: 200, headers };
}

export async function deleteObject(_ctx: RequestContext, { backend, key }: AuthorizedObject): Promise<GatewayResponse> {
  await backend.delete(key);
  return { status: 204, headers: {} };
}
