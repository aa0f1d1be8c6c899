/**
 * The response headers of GetObject and HeadObject, from an object's info,
 * the range served and any `response-*` overrides. Stored text that a header
 * cannot carry as it is goes out RFC 2047 encoded (`header-text.ts`); the
 * object's checksum is reported only when asked for (`x-amz-checksum-mode:
 * ENABLED`) and only for the whole object, as S3 does.
 */
import type { ByteRange, ObjectInfo } from '../backend.ts';
import type { HeaderMap } from '../http.ts';
import { encodeHeaderText, headerSafe } from './header-text.ts';
import { tagCount } from './object-tagging.ts';
import type { ResponseOverrides } from './operation.ts';

export interface ObjectHeaderOptions {
  /** The request carried `x-amz-checksum-mode: ENABLED`. */
  checksumMode?: boolean;
}

export function objectHeaders(info: ObjectInfo, range: ByteRange | undefined, overrides: ResponseOverrides, options: ObjectHeaderOptions = {}): HeaderMap {
  const headers: HeaderMap = {
    'accept-ranges': 'bytes',
    'last-modified': info.lastModified.toUTCString(),
    etag: info.etag,
    'content-type': headerSafe(info.contentType ?? 'application/octet-stream'),
  };
  if (range) {
    headers['content-length'] = String(range.end - range.start + 1);
    headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
  } else {
    headers['content-length'] = String(info.size);
  }
  if (info.contentEncoding !== undefined) headers['content-encoding'] = headerSafe(info.contentEncoding);
  if (info.contentDisposition !== undefined) headers['content-disposition'] = headerSafe(info.contentDisposition);
  if (info.contentLanguage !== undefined) headers['content-language'] = headerSafe(info.contentLanguage);
  if (info.cacheControl !== undefined) headers['cache-control'] = headerSafe(info.cacheControl);
  if (info.expires !== undefined) headers.expires = headerSafe(info.expires);
  if (info.storageClass !== undefined && info.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = headerSafe(info.storageClass);
  const tags = info.tagging !== undefined ? tagCount(info.tagging) : (info.tagCount ?? 0);
  if (tags > 0) headers['x-amz-tagging-count'] = String(tags);
  if (options.checksumMode && !range && info.checksum?.value !== undefined) {
    headers[`x-amz-checksum-${info.checksum.algorithm.toLowerCase()}`] = headerSafe(info.checksum.value);
    headers['x-amz-checksum-type'] = info.checksum.type;
  }
  for (const [name, value] of Object.entries(info.metadata)) headers[`x-amz-meta-${name}`] = encodeHeaderText(value);
  for (const [name, value] of Object.entries(overrides)) headers[name] = value;
  return headers;
}
