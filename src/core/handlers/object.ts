/**
 * GetObject, HeadObject, PutObject and DeleteObject.
 */
import type { AuthorizedObject } from '../authorize.ts';
import type { ObjectChecksum, ObjectMetadata, PutResult } from '../backend.ts';
import { RangeNotSatisfiableError } from '../backend-errors.ts';
import { putWithConditions } from '../conditional-put.ts';
import { S3Error } from '../errors/s3-error.ts';
import { type ChecksumRequest, requestedChecksum } from '../checksums/checksums.ts';
import type { GatewayResponse, HeaderMap } from '../http.ts';
import { objectHeaders } from '../s3/object-headers.ts';
import type { OperationOf } from '../s3/operation.ts';
import { resolveRange } from '../s3/range.ts';
import type { RequestContext } from './context.ts';
import { readPart } from './part-read.ts';
import { maxObjectSizeOf } from '../upload/size-limit.ts';
import { type UploadBody, prepareUploadBody } from '../upload/upload-body.ts';

export async function getOrHeadObject(
  ctx: RequestContext,
  op: OperationOf<'GetObject' | 'HeadObject'>,
  object: AuthorizedObject,
): Promise<GatewayResponse> {
  const { backend, key } = object;
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
    return { status: range ? 206 : 200, headers: objectHeaders(info, range, op.overrides, { checksumMode: op.checksumMode }) };
  }
  // The hot-range cache wraps the backend read of an authorized GET; what it does not take goes to the backend as usual.
  const cached = ctx.rangeCache ? await ctx.rangeCache.get(op, object) : undefined;
  if (cached?.kind === 'served') return cached.response;
  const result = await backend.get(key, { range: op.range, conditions: op.conditions, get signal() { return req.signal; } });
  const headers = objectHeaders(result.info, result.range, op.overrides, { checksumMode: op.checksumMode });
  if (cached?.kind === 'bypass') headers['x-cache'] = 'BYPASS';
  return { status: result.range ? 206 : 200, headers, body: result.body };
}

export async function putObject(ctx: RequestContext, op: OperationOf<'PutObject'>, object: AuthorizedObject): Promise<GatewayResponse> {
  const upload = await verifiedUpload(ctx, op, object);
  let result: PutResult;
  try {
    result = await putWithConditions(object.backend, object.key, upload.body, withChecksum(op.metadata, upload), op.writeConditions, {
      signal: ctx.req.signal,
      contentLength: op.contentLength,
    });
  } catch (error) {
    throw upload.failure() ?? error;
  }
  return { status: 200, headers: { etag: result.etag, 'content-length': '0', ...checksumHeaders(upload) } };
}

/**
 * The request body as PutObject and UploadPart store it: the size limit and
 * declared length, Content-MD5 and checksums verified as it streams, its last
 * bytes held back until every check has passed.
 */
export function verifiedUpload(
  ctx: RequestContext,
  declared: { contentLength?: number; contentMd5?: string },
  { bucket }: AuthorizedObject,
  checksum: ChecksumRequest | undefined = requestedChecksum(ctx.req.headers, ctx.trailers ?? (() => undefined)),
): Promise<UploadBody> {
  return prepareUploadBody({
    body: ctx.req.body,
    declaredLength: declared.contentLength,
    maxObjectSize: maxObjectSizeOf(ctx.config.connections[bucket.connection]),
    contentMd5: declared.contentMd5,
    checksum,
  });
}

/** The verified checksum as the object stores it: its value is the computed one, known once the body has ended. */
function withChecksum(metadata: ObjectMetadata, upload: UploadBody): ObjectMetadata {
  if (upload.checksumAlgorithm === undefined) return metadata;
  const checksum: ObjectChecksum = {
    algorithm: upload.checksumAlgorithm.toUpperCase(),
    type: 'FULL_OBJECT',
    get value() {
      return upload.checksumHeader()?.[1];
    },
  };
  return { ...metadata, checksum };
}

/** The computed `x-amz-checksum-*` header for the response, once the body has ended. */
export function checksumHeaders(upload: UploadBody): HeaderMap {
  const checksum = upload.checksumHeader();
  return checksum ? { [checksum[0]]: checksum[1] } : {};
}

export async function deleteObject(_ctx: RequestContext, { backend, key }: AuthorizedObject): Promise<GatewayResponse> {
  await backend.delete(key);
  return { status: 204, headers: {} };
}
