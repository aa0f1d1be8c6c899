/**
 * GetObject, HeadObject, PutObject and DeleteObject.
 */
import { authorize, missingBucket } from '../authorize.ts';
import type { PutResult } from '../backend.ts';
import { RangeNotSatisfiableError } from '../backend-errors.ts';
import { S3Error } from '../errors/s3-error.ts';
import { requestedChecksum } from '../checksums/checksums.ts';
import type { GatewayResponse, HeaderMap } from '../http.ts';
import type { ObjectTarget } from '../resolve.ts';
import { objectHeaders } from '../s3/object-headers.ts';
import type { S3Operation } from '../s3/operation.ts';
import { resolveRange } from '../s3/range.ts';
import type { RequestContext } from './context.ts';
import { maxObjectSizeOf } from '../upload/size-limit.ts';
import { prepareUploadBody } from '../upload/upload-body.ts';

type ObjectOp = Extract<S3Operation, { key: string; style: unknown }>;

async function target(ctx: RequestContext, op: ObjectOp, action: 'read' | 'write'): Promise<ObjectTarget> {
  const found = await ctx.resolver.object(op.bucket, op.key);
  if (!found) throw missingBucket();
  await authorize(ctx.policy, ctx.identity, { action, bucket: found.bucket, path: found.key, scope: 'object' });
  return found;
}

export async function getOrHeadObject(ctx: RequestContext, op: Extract<S3Operation, { name: 'GetObject' | 'HeadObject' }>): Promise<GatewayResponse> {
  const { backend, key } = await target(ctx, op, 'read');
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

export async function putObject(ctx: RequestContext, op: Extract<S3Operation, { name: 'PutObject' }>): Promise<GatewayResponse> {
  const { backend, key, bucket } = await target(ctx, op, 'write');
  const upload = await prepareUploadBody({
    body: ctx.req.body,
    declaredLength: op.contentLength,
    maxObjectSize: maxObjectSizeOf(ctx.config.connections[bucket.connection]),
    contentMd5: op.contentMd5,
    checksum: requestedChecksum(ctx.req.headers, ctx.trailers ?? (() => undefined)),
  });
  let result: PutResult;
  try {
    result = await backend.put(key, upload.body, op.metadata, { signal: ctx.req.signal, contentLength: op.contentLength });
  } catch (error) {
    throw upload.failure() ?? error;
  }
  const headers: HeaderMap = { etag: result.etag, 'content-length': '0' };
  const checksum = upload.checksumHeader();
  if (checksum) headers[checksum[0]] = checksum[1];
  return { status: 200, headers };
}

export async function deleteObject(ctx: RequestContext, op: Extract<S3Operation, { name: 'DeleteObject' }>): Promise<GatewayResponse> {
  const { backend, key } = await target(ctx, op, 'write');
  await backend.delete(key);
  return { status: 204, headers: {} };
}
