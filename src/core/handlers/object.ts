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
import { readPart } from './part-read.ts';
import { watchBody } from './watched-body.ts';

export async function getOrHeadObject(
  ctx: RequestContext,
  op: OperationOf<'GetObject' | 'HeadObject'>,
  { backend, key }: AuthorizedObject,
): Promise<GatewayResponse> {
  if (ctx.identity.kind === 'anonymous' && Object.keys(op.overrides).length > 0) {
    throw new S3Error('InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.');
  }
  if (op.partNumber !== undefined) return readPart(ctx, op, backend, key);
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
  const upload = verifiedUpload(ctx, op);
  let result: PutResult;
  try {
    result = await backend.put(key, upload.stream, op.metadata, { signal: ctx.req.signal, contentLength: op.contentLength });
  } catch (error) {
    throw upload.failure() ?? error;
  }
  return { status: 200, headers: { etag: result.etag, 'content-length': '0', ...upload.checksumHeaders() } };
}

/** An upload's body with every check a write makes (Content-MD5, `x-amz-checksum-*`), and why it failed if it did. */
export interface VerifiedUpload {
  stream: ReadableStream<Uint8Array>;
  failure(): unknown;
  /** The computed checksum header for the response, once the body has ended. */
  checksumHeaders(): HeaderMap;
}

/** The request body as PutObject and UploadPart store it: declared length, Content-MD5 and checksums verified as it streams. */
export function verifiedUpload(ctx: RequestContext, declared: { contentLength?: number; contentMd5?: string }): VerifiedUpload {
  let body: Body | undefined = ctx.req.body;
  if (!body) {
    if (declared.contentLength !== undefined && declared.contentLength > 0) throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
    body = bytesBody('');
  }
  if (declared.contentMd5 !== undefined) body = verifyContentMd5(body, declared.contentMd5);
  const checksumRequest = requestedChecksum(ctx.req.headers, ctx.trailers ?? (() => undefined));
  const checksum = checksumRequest && verifyChecksum(body, checksumRequest);
  const watched = watchBody(checksum?.stream ?? body);
  return {
    stream: watched.stream,
    failure: watched.failure,
    checksumHeaders() {
      const computed = checksum?.computed();
      return checksum && computed !== undefined ? { [checksum.header]: computed } : {};
    },
  };
}

export async function deleteObject(_ctx: RequestContext, { backend, key }: AuthorizedObject): Promise<GatewayResponse> {
  await backend.delete(key);
  return { status: 204, headers: {} };
}
