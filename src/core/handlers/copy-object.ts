/**
 * CopyObject: the source (authorized as a read) is copied to the
 * destination (authorized as a write) by `core/copy-object.ts` — natively
 * when one backend holds both and can, else streamed through the gateway —
 * so a copy works across connections and backends alike. `If-None-Match: *`
 * / `If-Match` guard the destination. The copy keeps the source's
 * metadata unless the request says REPLACE; copying an object onto itself
 * needs REPLACE, as in S3; sources over 5 GiB are refused, as S3 refuses
 * them for a single-request copy.
 */
import type { AuthorizedObject } from '../authorize.ts';
import type { ObjectInfo } from '../backend.ts';
import { NotModifiedError, PreconditionFailedError } from '../backend-errors.ts';
import { copyObject as copyWithin } from '../copy-object.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { GatewayResponse } from '../http.ts';
import type { OperationOf } from '../s3/operation.ts';
import { xmlDate, xmlDocument } from '../s3/xml.ts';
import { type RequestContext, xmlResponse } from './context.ts';

/** S3's limit for a copy in one request; larger objects are copied part by part. */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;

export async function copyObject(
  ctx: RequestContext,
  op: OperationOf<'CopyObject'>,
  source: AuthorizedObject,
  destination: AuthorizedObject,
): Promise<GatewayResponse> {
  if (op.metadataDirective === 'COPY' && sameObject(source, destination)) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  let result;
  try {
    result = await copyWithin(source.backend, source.key, destination.backend, destination.key, {
      conditions: op.sourceConditions,
      ...(op.metadataDirective === 'REPLACE' && { metadata: op.metadata }),
      ...(op.writeConditions && { writeConditions: op.writeConditions }),
      checkSource: refuseOversized,
      signal: ctx.req.signal,
    });
  } catch (error) {
    // For a copy, a source that "has not changed" is a failed precondition, not a 304.
    if (error instanceof NotModifiedError) throw new PreconditionFailedError('x-amz-copy-source-if-none-match');
    throw error;
  }
  return xmlResponse(xmlDocument('CopyObjectResult', [['LastModified', xmlDate(result.lastModified)], ['ETag', result.etag]]));
}

function refuseOversized(info: ObjectInfo): void {
  if (info.size > MAX_COPY_BYTES) {
    throw new S3Error('InvalidRequest', `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_BYTES}`);
  }
}

function sameObject(a: AuthorizedObject, b: AuthorizedObject): boolean {
  return a.bucket.connection === b.bucket.connection && a.bucket.prefix + a.key === b.bucket.prefix + b.key;
}
