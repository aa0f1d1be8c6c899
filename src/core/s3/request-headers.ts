/**
 * Reading object-level request headers: the metadata a write stores, and the
 * `If-*` preconditions of a read (or, with the `x-amz-copy-source-` prefix,
 * of a copy's source).
 */
import type { ObjectMetadata, ReadConditions } from '../backend.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { HeaderMap } from '../http.ts';

/** S3's limit on user-defined metadata: names and values together, in UTF-8 bytes. */
export const MAX_USER_METADATA_BYTES = 2048;

const encoder = new TextEncoder();

/** Content headers and `x-amz-meta-*` as a write stores them; 400 MetadataTooLarge past S3's 2 KB. */
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
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const short = name.slice('x-amz-meta-'.length);
    metadata.metadata[short] = value;
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
