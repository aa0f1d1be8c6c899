/**
 * Reading object-level request headers: the metadata a write stores, and the
 * `If-*` preconditions of a read (or, with the `x-amz-copy-source-` prefix,
 * of a copy's source).
 */
import type { ObjectMetadata, ReadConditions } from '../backend.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { HeaderMap } from '../http.ts';
import { decodeHeaderText } from './header-text.ts';
import { parseTagging } from './object-tagging.ts';

/** S3's limit on user-defined metadata: names and values together, in UTF-8 bytes. */
export const MAX_USER_METADATA_BYTES = 2048;

const encoder = new TextEncoder();

/** The storage classes S3 accepts on a write (the gateway stores and reports the name; it changes nothing else). */
export const STORAGE_CLASSES: ReadonlySet<string> = new Set([
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE',
  'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE',
]);

/** Content headers, storage class, tag set and `x-amz-meta-*` as a write stores them; 400 MetadataTooLarge past S3's 2 KB. */
export function metadataFromHeaders(headers: HeaderMap): ObjectMetadata {
  const metadata: ObjectMetadata = { metadata: {} };
  if (headers['content-type'] !== undefined) metadata.contentType = headers['content-type'];
  // `aws-chunked` describes the upload's framing, not the object: S3 does not store it.
  const encoding = headers['content-encoding']?.split(',').map((e) => e.trim()).filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked').join(', ');
  if (encoding) metadata.contentEncoding = encoding;
  if (headers['content-disposition'] !== undefined) metadata.contentDisposition = headers['content-disposition'];
  if (headers['content-language'] !== undefined) metadata.contentLanguage = headers['content-language'];
  if (headers['cache-control'] !== undefined) metadata.cacheControl = headers['cache-control'];
  if (headers.expires !== undefined) metadata.expires = headers.expires;
  const storageClass = headers['x-amz-storage-class'];
  if (storageClass !== undefined) {
    if (!STORAGE_CLASSES.has(storageClass)) throw new S3Error('InvalidStorageClass', 'The storage class you specified is not valid', { StorageClassRequested: storageClass });
    metadata.storageClass = storageClass;
  }
  const tagging = headers['x-amz-tagging'];
  if (tagging !== undefined) {
    parseTagging(tagging);
    if (tagging !== '') metadata.tagging = tagging;
  }
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const short = name.slice('x-amz-meta-'.length);
    metadata.metadata[short] = decodeHeaderText(value);
    bytes += encoder.encode(short).byteLength + encoder.encode(value).byteLength;
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', {
      Size: String(bytes),
      MaxSizeAllowed: String(MAX_USER_METADATA_BYTES),
    });
  }
  return metadata;
}

/** `If-Match`, `If-None-Match`, `If-Modified-Since`, `If-Unmodified-Since`, each under `prefix`. */
export function conditionsFromHeaders(headers: HeaderMap, prefix = ''): ReadConditions {
  const conditions: ReadConditions = {};
  const ifMatch = headers[`${prefix}if-match`];
  if (ifMatch !== undefined) conditions.ifMatch = ifMatch;
  const ifNoneMatch = headers[`${prefix}if-none-match`];
  if (ifNoneMatch !== undefined) conditions.ifNoneMatch = ifNoneMatch;
  const modifiedSince = parseHttpDate(headers[`${prefix}if-modified-since`]);
  if (modifiedSince) conditions.ifModifiedSince = modifiedSince;
  const unmodifiedSince = parseHttpDate(headers[`${prefix}if-unmodified-since`]);
  if (unmodifiedSince) conditions.ifUnmodifiedSince = unmodifiedSince;
  return conditions;
}

/** Unparseable dates are ignored, as S3 ignores them. */
function parseHttpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
