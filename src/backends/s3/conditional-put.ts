/**
 * A conditional PutObject on an S3-compatible store: `If-None-Match: *` and
 * `If-Match` are forwarded (and signed) with the upload, so the store itself
 * makes the check and the write one step. The store's 412 becomes a
 * `PreconditionFailedError`, its 409 ConditionalRequestConflict a
 * `ConditionalWriteConflictError`, its 404 (If-Match on a missing key) an
 * `ObjectNotFoundError`. The body must have a declared length: it is sent
 * as one request, never split into parts whose completion could race.
 */
import type { ObjectMetadata, PutOptions, PutResult } from '../../core/backend.ts';
import { ConditionalWriteConflictError, PreconditionFailedError } from '../../core/backend-errors.ts';
import type { WriteConditions } from '../../core/backend-capabilities.ts';
import { type Body, discardBody } from '../../core/body.ts';
import { S3Error } from '../../core/errors/s3-error.ts';
import { objectUrl } from './addressing.ts';
import { mapObjectError } from './errors.ts';
import { metadataHeaders } from './object-headers.ts';
import type { ResolvedS3Options } from './options.ts';
import { consumeBody, S3ResponseError, type S3Transport } from './transport.ts';
import { quoteEtag } from './xml.ts';

export interface ConditionalPutContext {
  opts: ResolvedS3Options;
  transport: S3Transport;
  /** The key within the store's bucket (base prefix applied). */
  fullKey: string;
}

export async function putConditionally(
  ctx: ConditionalPutContext,
  key: string,
  body: Body,
  metadata: ObjectMetadata,
  conditions: WriteConditions,
  options: PutOptions,
): Promise<PutResult> {
  if (options.contentLength === undefined) {
    discardBody(body);
    throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  }
  const headers = { ...metadataHeaders(metadata), ...writeConditionHeaders(conditions), 'content-length': String(options.contentLength) };
  try {
    const res = await ctx.transport.send({
      operation: 'PutObject',
      method: 'PUT',
      url: objectUrl(ctx.opts, ctx.fullKey),
      headers,
      body,
      idempotent: false,
      signal: options.signal,
    });
    await consumeBody(res.body);
    return { etag: quoteEtag(res.headers['etag'] ?? '') };
  } catch (err) {
    throw conditionalWriteError(err, key, conditions);
  }
}

/** The store's answer to a failed conditional write, as the backend's typed error. */
export function conditionalWriteError(err: unknown, key: string, conditions: WriteConditions): unknown {
  if (err instanceof S3ResponseError) {
    if (err.status === 409 && err.code === 'ConditionalRequestConflict') return new ConditionalWriteConflictError(key);
    if (err.status === 412) return new PreconditionFailedError(conditions.ifNoneMatch !== undefined ? 'If-None-Match' : 'If-Match');
  }
  return mapObjectError(err, key);
}

export function writeConditionHeaders(conditions: WriteConditions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (conditions.ifNoneMatch !== undefined) headers['if-none-match'] = conditions.ifNoneMatch;
  if (conditions.ifMatch !== undefined) headers['if-match'] = conditions.ifMatch;
  return headers;
}
