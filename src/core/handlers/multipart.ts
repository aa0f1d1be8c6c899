/**
 * The multipart-upload operations on one object: create, upload a part (or
 * copy one from another object), complete, abort and list parts. Upload ids
 * reach clients sealed to the bucket and key (`multipart/upload-id.ts`), and
 * every call goes to the backend's `MultipartCapable` operations; a backend
 * without them answers 501 NotImplemented.
 */
import type { AuthorizedObject } from '../authorize.ts';
import type { Backend, ObjectMetadata, PutOptions } from '../backend.ts';
import { type CompleteOptions, type CompletedPart, type MultipartOperations, hasMultipart } from '../backend-capabilities.ts';
import { type ChecksumRequest, requestedChecksum } from '../checksums/checksums.ts';
import { NotModifiedError, PreconditionFailedError } from '../backend-errors.ts';
import { discardBody, readAll } from '../body.ts';
import { S3Error, invalidArgument, notImplemented } from '../errors/s3-error.ts';
import type { GatewayResponse } from '../http.ts';
import type { MultipartChecksum } from '../multipart/checksum.ts';
import { MAX_PART_NUMBER } from '../multipart/completion.ts';
import type { UploadBinding } from '../multipart/upload-id.ts';
import type { OperationOf } from '../s3/operation.ts';
import { type XmlNode, xmlDate, xmlDocument } from '../s3/xml.ts';
import { childElement, elementText, malformedXml, parseXmlDocument } from '../s3/xml-read.ts';
import { type RequestContext, ownerOf, xmlResponse } from './context.ts';
import { MAX_COPY_BYTES } from './copy-object.ts';
import { checksumHeaders, verifiedUpload } from './object.ts';

/** The backend's multipart operations, or 501 for a backend without them. */
export function multipartOf(backend: Backend): MultipartOperations {
  if (!hasMultipart(backend)) throw notImplemented(`multipart uploads on a ${backend.kind} backend`);
  return backend.multipart;
}

export function bindingOf(object: AuthorizedObject): UploadBinding {
  return { connection: object.bucket.connection, bucket: object.bucket.name, key: object.key };
}

export async function createMultipartUpload(ctx: RequestContext, op: OperationOf<'CreateMultipartUpload'>, object: AuthorizedObject): Promise<GatewayResponse> {
  const multipart = multipartOf(object.backend);
  // The upload's algorithm and type travel with its metadata (no value yet) and inside the sealed id.
  const metadata: ObjectMetadata = op.checksum ? { ...op.metadata, checksum: { ...op.checksum, value: undefined } } : op.metadata;
  const { uploadId } = await multipart.create(object.key, metadata, { signal: ctx.req.signal });
  const sealed = await ctx.uploadIds.seal(uploadId, bindingOf(object), op.checksum);
  const response = xmlResponse(xmlDocument('InitiateMultipartUploadResult', [['Bucket', op.bucket], ['Key', op.key], ['UploadId', sealed]]));
  if (op.checksum) {
    response.headers['x-amz-checksum-algorithm'] = op.checksum.algorithm;
    response.headers['x-amz-checksum-type'] = op.checksum.type;
  }
  return response;
}

export async function uploadPart(ctx: RequestContext, op: OperationOf<'UploadPart'>, object: AuthorizedObject): Promise<GatewayResponse> {
  const multipart = multipartOf(object.backend);
  const { id: uploadId, checksum } = await ctx.uploadIds.openUpload(op.uploadId, bindingOf(object));
  const upload = await verifiedUpload(ctx, op, object, checksum && partChecksum(ctx, checksum));
  const options: PutOptions = { signal: ctx.req.signal, contentLength: op.contentLength };
  if (checksum) {
    options.checksum = {
      algorithm: checksum.algorithm,
      type: checksum.type,
      get value() {
        return upload.checksumHeader()?.[1];
      },
    };
  }
  let etag: string;
  try {
    ({ etag } = await multipart.uploadPart(object.key, uploadId, op.partNumber, upload.body, options));
  } catch (error) {
    throw upload.failure() ?? error;
  }
  return { status: 200, headers: { etag, 'content-length': '0', ...checksumHeaders(upload) } };
}

/**
 * A part of an upload with a checksum is checksummed with the upload's
 * algorithm: the client's value verified when it sends one (of that
 * algorithm, or 400 InvalidRequest as S3 answers), else computed.
 */
function partChecksum(ctx: RequestContext, upload: MultipartChecksum): ChecksumRequest {
  const name = upload.algorithm.toLowerCase();
  const sent = requestedChecksum(ctx.req.headers, ctx.trailers ?? (() => undefined));
  if (sent && sent.algorithm !== name) {
    throw new S3Error('InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${name}, actual checksum Type: ${sent.algorithm}`);
  }
  return sent ?? { algorithm: name, expected: () => undefined, computeOnly: true };
}

/** A part whose bytes come from another object (all of it, or `x-amz-copy-source-range`), read as CopyObject reads. */
export async function uploadPartCopy(
  ctx: RequestContext,
  op: OperationOf<'UploadPartCopy'>,
  source: AuthorizedObject,
  destination: AuthorizedObject,
): Promise<GatewayResponse> {
  const multipart = multipartOf(destination.backend);
  const uploadId = await ctx.uploadIds.open(op.uploadId, bindingOf(destination));
  const info = await source.backend.head(source.key, { conditions: op.sourceConditions, signal: ctx.req.signal }).catch((error: unknown) => {
    throw error instanceof NotModifiedError ? new PreconditionFailedError('x-amz-copy-source-if-none-match') : error;
  });
  const range = op.sourceRange;
  if (range && range.last >= info.size) {
    throw invalidArgument(`Range specified is not valid for source object of size: ${info.size}`, 'x-amz-copy-source-range', `bytes=${range.first}-${range.last}`);
  }
  const length = range ? range.last - range.first + 1 : info.size;
  if (length > MAX_COPY_BYTES) throw invalidArgument(`Part size must not exceed ${MAX_COPY_BYTES} bytes`, 'x-amz-copy-source-range');
  // The version just checked, and no other, is what the part copies.
  const read = await source.backend.get(source.key, {
    conditions: { ifMatch: info.etag },
    ...(range && info.size > 0 && { range: { kind: 'bounded', first: range.first, last: range.last } }),
    signal: ctx.req.signal,
  });
  let etag: string;
  try {
    ({ etag } = await multipart.uploadPart(destination.key, uploadId, op.partNumber, read.body, { signal: ctx.req.signal, contentLength: length }));
  } catch (error) {
    discardBody(read.body);
    throw error;
  }
  return xmlResponse(xmlDocument('CopyPartResult', [['LastModified', xmlDate(info.lastModified)], ['ETag', etag]]));
}

/** The completion document is small: 10000 parts of ~100 bytes each, with room for whitespace. */
const MAX_COMPLETE_BYTES = 4 * 1024 * 1024;

export async function completeMultipartUpload(ctx: RequestContext, op: OperationOf<'CompleteMultipartUpload'>, object: AuthorizedObject): Promise<GatewayResponse> {
  const multipart = multipartOf(object.backend);
  const { id: uploadId, checksum } = await ctx.uploadIds.openUpload(op.uploadId, bindingOf(object));
  const parts = parseCompletion(await readCompletion(ctx));
  const options: CompleteOptions = { signal: ctx.req.signal };
  if (checksum) {
    const expected = ctx.req.headers[`x-amz-checksum-${checksum.algorithm.toLowerCase()}`];
    options.checksum = { ...checksum, ...(expected !== undefined && { expected }) };
  }
  if (op.writeConditions) options.conditions = op.writeConditions;
  const result = await multipart.complete(object.key, uploadId, parts, options);
  const nodes: XmlNode[] = [['Location', locationOf(ctx, op)], ['Bucket', op.bucket], ['Key', op.key], ['ETag', result.etag]];
  const value = result.checksum?.value;
  if (result.checksum && value !== undefined) nodes.push([`Checksum${result.checksum.algorithm}`, value], ['ChecksumType', result.checksum.type]);
  return xmlResponse(xmlDocument('CompleteMultipartUploadResult', nodes));
}

export async function abortMultipartUpload(ctx: RequestContext, op: OperationOf<'AbortMultipartUpload'>, object: AuthorizedObject): Promise<GatewayResponse> {
  const multipart = multipartOf(object.backend);
  const uploadId = await ctx.uploadIds.open(op.uploadId, bindingOf(object));
  await multipart.abort(object.key, uploadId);
  return { status: 204, headers: {} };
}

export async function listParts(ctx: RequestContext, op: OperationOf<'ListParts'>, object: AuthorizedObject): Promise<GatewayResponse> {
  const multipart = multipartOf(object.backend);
  const uploadId = await ctx.uploadIds.open(op.uploadId, bindingOf(object));
  const result = await multipart.listParts(object.key, uploadId, {
    maxParts: op.maxParts,
    ...(op.partNumberMarker !== undefined && { partNumberMarker: op.partNumberMarker }),
    signal: ctx.req.signal,
  });
  const owner = ownerOf(object.bucket.account);
  const who: XmlNode[] = [['ID', owner.id], ['DisplayName', owner.displayName]];
  const nodes: XmlNode[] = [
    ['Bucket', op.bucket],
    ['Key', op.key],
    ['UploadId', op.uploadId],
    ['Initiator', who],
    ['Owner', who],
    ['StorageClass', 'STANDARD'],
    ['PartNumberMarker', op.partNumberMarker ?? 0],
    ['NextPartNumberMarker', result.nextPartNumberMarker ?? result.parts.at(-1)?.partNumber ?? 0],
    ['MaxParts', op.maxParts],
    ['IsTruncated', result.isTruncated],
  ];
  for (const part of result.parts) {
    nodes.push(['Part', [['PartNumber', part.partNumber], ['LastModified', xmlDate(part.lastModified)], ['ETag', part.etag], ['Size', part.size]]]);
  }
  return xmlResponse(xmlDocument('ListPartsResult', nodes));
}

async function readCompletion(ctx: RequestContext): Promise<string> {
  if (!ctx.req.body) throw malformedXml();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await readAll(ctx.req.body, MAX_COMPLETE_BYTES));
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) throw malformedXml();
    throw error;
  }
}

const PART_CHECKSUM_ELEMENTS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** The parts list: at least one, numbers 1–10000 in ascending order (InvalidPartOrder otherwise), each with an ETag. */
export function parseCompletion(text: string): CompletedPart[] {
  const document = parseXmlDocument(text, ['CompleteMultipartUpload.Part']);
  const root = document.CompleteMultipartUpload;
  if (root === undefined) throw malformedXml();
  const elements = childElement(root, 'Part');
  if (!Array.isArray(elements) || elements.length === 0) throw malformedXml();
  const parts: CompletedPart[] = [];
  for (const element of elements) {
    const number = elementText(childElement(element, 'PartNumber'))?.trim();
    const etag = elementText(childElement(element, 'ETag'));
    if (number === undefined || etag === undefined || !/^\d{1,5}$/.test(number)) throw malformedXml();
    const partNumber = Number(number);
    if (partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw invalidArgument(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, 'partNumber', number);
    }
    const previous = parts.at(-1);
    if (previous && partNumber <= previous.partNumber) {
      throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
    }
    const part: CompletedPart = { partNumber, etag: etag.trim() };
    for (const algorithm of PART_CHECKSUM_ELEMENTS) {
      const value = elementText(childElement(element, `Checksum${algorithm}`))?.trim();
      if (value !== undefined && value !== '') part.checksum = value;
    }
    parts.push(part);
  }
  return parts;
}

/** The object's URL as the client addressed it. */
function locationOf(ctx: RequestContext, op: OperationOf<'CompleteMultipartUpload'>): string {
  const scheme = ctx.req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const host = ctx.req.headers.host ?? 'localhost';
  const key = op.key.split('/').map(encodeURIComponent).join('/');
  return op.style === 'virtual-host' ? `${scheme}://${host}/${key}` : `${scheme}://${host}/${encodeURIComponent(op.bucket)}/${key}`;
}
