/**
 * Parsing the multipart-upload requests: `POST ?uploads` (create),
 * `PUT ?partNumber&uploadId` (a part, or a part copied from another object),
 * `POST ?uploadId` (complete), `DELETE ?uploadId` (abort), `GET ?uploadId`
 * (list parts) on an object, and `GET ?uploads` on a bucket. Numbers are
 * checked here, once, with the errors S3 gives.
 */
import { S3Error, invalidArgument } from '../errors/s3-error.ts';
import type { HeaderMap } from '../http.ts';
import { multipartChecksumFromHeaders } from '../multipart/checksum.ts';
import { MAX_PART_NUMBER } from '../multipart/completion.ts';
import type { AddressingStyle, S3Operation, UploadsQuery } from './operation.ts';
import { parseCopy } from './parse-copy.ts';
import { metadataFromHeaders } from './request-headers.ts';
import { writeConditionsFromHeaders } from './write-conditions.ts';

const MAX_LIST = 1000;

/** The multipart operation an object request names, or undefined when it names none. */
export function parseObjectMultipart(
  method: string,
  query: Map<string, string>,
  headers: HeaderMap,
  target: { bucket: string; style: AddressingStyle; key: string },
  checkKey: (key: string) => string,
): S3Operation | undefined {
  const uploadId = query.get('uploadId');
  const ref = { bucket: target.bucket, style: target.style, key: target.key };
  if (method === 'POST' && query.has('uploads') && uploadId === undefined) {
    const op: S3Operation = { name: 'CreateMultipartUpload', ...ref, metadata: metadataFromHeaders(headers) };
    const checksum = multipartChecksumFromHeaders(headers);
    if (checksum) op.checksum = checksum;
    return op;
  }
  if (uploadId === undefined) return undefined;
  if (uploadId === '') throw new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: '' });
  switch (method) {
    case 'PUT': {
      const partNumber = parsePartNumber(query.get('partNumber'));
      if (headers['x-amz-copy-source'] === undefined) {
        return { name: 'UploadPart', ...ref, uploadId, partNumber, ...partLength(headers) };
      }
      const copy = parseCopy(headers, target.bucket, target.style, target.key, checkKey);
      if (copy.name !== 'CopyObject') return copy;
      const op: S3Operation = { name: 'UploadPartCopy', ...ref, uploadId, partNumber, source: copy.source, sourceConditions: copy.sourceConditions };
      const range = headers['x-amz-copy-source-range'];
      if (range !== undefined) op.sourceRange = parseCopySourceRange(range);
      return op;
    }
    case 'POST': {
      const writeConditions = writeConditionsFromHeaders(headers);
      if (writeConditions === 'unsupported') return { name: 'Unsupported', operation: 'If-None-Match with a value other than *', ...ref };
      return { name: 'CompleteMultipartUpload', ...ref, uploadId, ...(writeConditions && { writeConditions }) };
    }
    case 'DELETE':
      return { name: 'AbortMultipartUpload', ...ref, uploadId };
    case 'GET': {
      const op: S3Operation = { name: 'ListParts', ...ref, uploadId, maxParts: parseCount(query.get('max-parts'), 'max-parts') };
      const marker = query.get('part-number-marker');
      if (marker !== undefined && marker !== '') {
        if (!/^\d{1,10}$/.test(marker)) throw invalidArgument('Provided part-number-marker not an integer or within integer range', 'part-number-marker', marker);
        op.partNumberMarker = Number(marker);
      }
      return op;
    }
    default:
      return { name: 'Unsupported', operation: `${method} on a multipart upload`, bucket: target.bucket, key: target.key };
  }
}

/** ListMultipartUploads' query (`GET /bucket?uploads`). */
export function parseUploadsQuery(query: Map<string, string>): UploadsQuery {
  const uploads: UploadsQuery = { prefix: query.get('prefix') ?? '', maxUploads: parseCount(query.get('max-uploads'), 'max-uploads') };
  const delimiter = query.get('delimiter');
  if (delimiter) uploads.delimiter = delimiter;
  const keyMarker = query.get('key-marker');
  if (keyMarker) {
    uploads.keyMarker = keyMarker;
    // S3 ignores the upload-id marker without a key marker.
    const uploadIdMarker = query.get('upload-id-marker');
    if (uploadIdMarker) uploads.uploadIdMarker = uploadIdMarker;
  }
  const encoding = query.get('encoding-type');
  if (encoding !== undefined) {
    if (encoding !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
    uploads.encodingType = 'url';
  }
  return uploads;
}

/** `partNumber` of UploadPart and of GetObject/HeadObject: 1–10000, else 400 InvalidArgument. */
export function parsePartNumber(value: string | undefined): number {
  if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > MAX_PART_NUMBER) {
    throw invalidArgument(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, 'partNumber', value);
  }
  return Number(value);
}

function parseCount(value: string | undefined, name: string): number {
  if (value === undefined) return MAX_LIST;
  if (!/^\d{1,10}$/.test(value)) throw invalidArgument(`Provided ${name} not an integer or within integer range`, name, value);
  return Math.min(Number(value), MAX_LIST);
}

function partLength(headers: HeaderMap): { contentLength?: number; contentMd5?: string } {
  const out: { contentLength?: number; contentMd5?: string } = {};
  const length = headers['x-amz-decoded-content-length'] ?? headers['content-length'];
  if (length !== undefined) {
    if (!/^\d+$/.test(length)) throw invalidArgument('Invalid content length', 'Content-Length', length);
    out.contentLength = Number(length);
  }
  if (headers['content-md5'] !== undefined) out.contentMd5 = headers['content-md5'];
  return out;
}

/** `x-amz-copy-source-range: bytes=first-last`, both given, first ≤ last. */
function parseCopySourceRange(value: string): { first: number; last: number } {
  const match = /^bytes=(\d{1,15})-(\d{1,15})$/.exec(value.trim());
  if (!match || Number(match[1]) > Number(match[2])) {
    throw invalidArgument(
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      'x-amz-copy-source-range',
      value,
    );
  }
  return { first: Number(match[1]), last: Number(match[2]) };
}
