/**
 * GetObject and HeadObject with `?partNumber=N`: the N-th part of an object
 * assembled from parts, served as a 206 over that part's bytes with
 * `x-amz-mp-parts-count`. An object written whole is one part: part 1 is all
 * of it, any other number is 416 InvalidPartNumber, as S3 answers. A
 * backend whose store serves parts itself (`PartReads`) is asked directly.
 */
import type { Backend, ByteRange, ObjectInfo, ReadConditions } from '../backend.ts';
import { type PartReads, hasPartReads } from '../backend-capabilities.ts';
import { S3Error, notImplemented } from '../errors/s3-error.ts';
import type { GatewayResponse } from '../http.ts';
import { objectHeaders } from '../s3/object-headers.ts';
import type { OperationOf } from '../s3/operation.ts';
import type { RequestContext } from './context.ts';

export async function readPart(
  ctx: RequestContext,
  op: OperationOf<'GetObject' | 'HeadObject'>,
  backend: Backend,
  key: string,
): Promise<GatewayResponse> {
  const partNumber = op.partNumber!;
  if (hasPartReads(backend)) return readPartFromStore(ctx, op, backend, key);
  const info = await backend.head(key, { conditions: op.conditions, signal: ctx.req.signal });
  const range = partRange(info, partNumber);
  const headers = objectHeaders(info, range, op.overrides);
  if (info.partSizes !== undefined) headers['x-amz-mp-parts-count'] = String(info.partSizes.length);
  if (op.name === 'HeadObject') return { status: range ? 206 : 200, headers };
  // The part's bounds belong to the version just described: read exactly that version.
  const conditions: ReadConditions = { ...op.conditions, ifMatch: op.conditions.ifMatch ?? info.etag };
  const result = await backend.get(key, {
    ...(range && { range: { kind: 'bounded', first: range.start, last: range.end } }),
    conditions,
    signal: ctx.req.signal,
  });
  return { status: range ? 206 : 200, headers, body: result.body };
}

async function readPartFromStore(
  ctx: RequestContext,
  op: OperationOf<'GetObject' | 'HeadObject'>,
  backend: PartReads,
  key: string,
): Promise<GatewayResponse> {
  const head = op.name === 'HeadObject';
  const part = await backend.readPart(key, op.partNumber!, { head, conditions: op.conditions, signal: ctx.req.signal });
  const headers = objectHeaders(part.info, part.range, op.overrides);
  if (part.partsCount !== undefined) headers['x-amz-mp-parts-count'] = String(part.partsCount);
  const status = part.range ? 206 : 200;
  return head || !part.body ? { status, headers } : { status, headers, body: part.body };
}

/** The bytes of part `partNumber`; undefined for an empty object's only part. */
function partRange(info: ObjectInfo, partNumber: number): ByteRange | undefined {
  const sizes = info.partSizes ?? (isMultipartEtag(info.etag) ? undefined : [info.size]);
  if (sizes === undefined) throw notImplemented('partNumber on a multipart object whose parts this backend does not describe');
  if (partNumber > sizes.length) throw new S3Error('InvalidPartNumber', 'The requested partnumber is not satisfiable', { PartNumberRequested: String(partNumber), ActualPartCount: String(sizes.length) });
  let start = 0;
  for (let i = 0; i < partNumber - 1; i++) start += sizes[i]!;
  const size = sizes[partNumber - 1]!;
  if (size === 0) return undefined;
  return { start, end: start + size - 1 };
}

function isMultipartEtag(etag: string): boolean {
  return /-\d+"?$/.test(etag);
}
