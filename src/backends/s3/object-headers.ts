/**
 * Translation between the backend's object vocabulary (metadata, read
 * conditions, ranges, `ObjectInfo`) and S3's request and response headers.
 */
import type { ByteRange, ObjectInfo, ObjectMetadata, RangeRequest, ReadConditions } from '../../core/backend.ts';
import { fromBase64, toBase64 } from '../../core/base64.ts';
import type { HeaderMap } from '../../core/http.ts';
import { quoteEtag } from './xml.ts';

const META_PREFIX = 'x-amz-meta-';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Header values travel as ASCII; S3 decodes RFC 2047 encoded-words in
 * metadata values on write and encodes non-ASCII values that way on read.
 */
function encodeHeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  return `=?UTF-8?B?${toBase64(encoder.encode(value))}?=`;
}

function decodeHeaderValue(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi, (whole, kind: string, data: string) => {
    try {
      if (kind.toUpperCase() === 'B') return decoder.decode(fromBase64(data));
      const bytes = data
        .replace(/_/g, ' ')
        .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      return decoder.decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
    } catch {
      return whole;
    }
  });
}

/** Headers that store `metadata` with a PUT. */
export function metadataHeaders(metadata: ObjectMetadata): HeaderMap {
  const headers: HeaderMap = {};
  if (metadata.contentType !== undefined) headers['content-type'] = metadata.contentType;
  if (metadata.contentEncoding !== undefined) headers['content-encoding'] = metadata.contentEncoding;
  if (metadata.contentDisposition !== undefined) headers['content-disposition'] = encodeHeaderValue(metadata.contentDisposition);
  if (metadata.contentLanguage !== undefined) headers['content-language'] = metadata.contentLanguage;
  if (metadata.cacheControl !== undefined) headers['cache-control'] = metadata.cacheControl;
  if (metadata.expires !== undefined) headers['expires'] = metadata.expires;
  for (const [name, value] of Object.entries(metadata.metadata ?? {})) {
    headers[META_PREFIX + name.toLowerCase()] = encodeHeaderValue(value);
  }
  if (metadata.storageClass !== undefined) headers['x-amz-storage-class'] = metadata.storageClass;
  if (metadata.tagging !== undefined) headers['x-amz-tagging'] = metadata.tagging;
  // A checksum known before the body is sent (a header, not a trailer) goes along for the store to verify and keep.
  const checksum = metadata.checksum;
  const checksumValue = checksum?.value;
  if (checksum && checksumValue !== undefined) {
    headers[`x-amz-checksum-${checksum.algorithm.toLowerCase()}`] = checksumValue;
    // As the AWS SDKs send it; some stores (moto) keep a checksum only when told its algorithm this way.
    headers['x-amz-sdk-checksum-algorithm'] = checksum.algorithm;
  }
  return headers;
}

/** If-* headers for a read. */
export function conditionHeaders(conditions: ReadConditions | undefined): HeaderMap {
  const headers: HeaderMap = {};
  if (!conditions) return headers;
  if (conditions.ifMatch !== undefined) headers['if-match'] = conditions.ifMatch;
  if (conditions.ifNoneMatch !== undefined) headers['if-none-match'] = conditions.ifNoneMatch;
  if (conditions.ifModifiedSince) headers['if-modified-since'] = conditions.ifModifiedSince.toUTCString();
  if (conditions.ifUnmodifiedSince) headers['if-unmodified-since'] = conditions.ifUnmodifiedSince.toUTCString();
  return headers;
}

export function rangeHeader(range: RangeRequest): string {
  switch (range.kind) {
    case 'bounded':
      return `bytes=${range.first}-${range.last}`;
    case 'from':
      return `bytes=${range.first}-`;
    case 'suffix':
      return `bytes=-${range.length}`;
  }
}

/** `bytes 0-9/100` → range and size; `bytes *\/100` (unsatisfied) → size only. */
export function parseContentRange(value: string | undefined): { range?: ByteRange; size?: number } {
  if (!value) return {};
  const match = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!match) return {};
  const size = match[3] === '*' ? undefined : Number(match[3]);
  const range = match[1] !== undefined ? { start: Number(match[1]), end: Number(match[2]) } : undefined;
  return { ...(range ? { range } : {}), ...(size !== undefined ? { size } : {}) };
}

/** `ObjectInfo` from the headers of a HEAD or GET answer (`size` is the whole object's). */
export function objectInfoFromHeaders(key: string, headers: HeaderMap): ObjectInfo {
  const { size: totalFromRange } = parseContentRange(headers['content-range']);
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(META_PREFIX)) metadata[name.slice(META_PREFIX.length)] = decodeHeaderValue(value);
  }
  const info: ObjectInfo = {
    key,
    size: totalFromRange ?? Number(headers['content-length'] ?? '0'),
    etag: quoteEtag(headers['etag'] ?? ''),
    lastModified: new Date(headers['last-modified'] ?? 0),
    metadata,
  };
  if (headers['content-type'] !== undefined) info.contentType = headers['content-type'];
  if (headers['content-encoding'] !== undefined) info.contentEncoding = headers['content-encoding'];
  if (headers['content-disposition'] !== undefined) info.contentDisposition = decodeHeaderValue(headers['content-disposition']);
  if (headers['content-language'] !== undefined) info.contentLanguage = headers['content-language'];
  if (headers['cache-control'] !== undefined) info.cacheControl = headers['cache-control'];
  if (headers['expires'] !== undefined) info.expires = headers['expires'];
  if (headers['x-amz-storage-class'] !== undefined) info.storageClass = headers['x-amz-storage-class'];
  const tags = headers['x-amz-tagging-count'];
  if (tags !== undefined && /^\d+$/.test(tags)) info.tagCount = Number(tags);
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = headers[`x-amz-checksum-${algorithm}`];
    if (value === undefined) continue;
    info.checksum = { algorithm: algorithm.toUpperCase(), value, type: headers['x-amz-checksum-type'] === 'COMPOSITE' ? 'COMPOSITE' : 'FULL_OBJECT' };
    break;
  }
  return info;
}

const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;

/** Headers every read sends: ask for the object's checksum, which the gateway reports when its own client asks. */
export function readHeaders(conditions: ReadConditions | undefined): HeaderMap {
  return { ...conditionHeaders(conditions), 'x-amz-checksum-mode': 'ENABLED' };
}
