/**
 * The response headers of GetObject and HeadObject, from an object's info,
 * the range served and any `response-*` overrides.
 */
import type { ByteRange, ObjectInfo } from '../backend.ts';
import type { HeaderMap } from '../http.ts';
import type { ResponseOverrides } from './operation.ts';

export function objectHeaders(info: ObjectInfo, range: ByteRange | undefined, overrides: ResponseOverrides): HeaderMap {
  const headers: HeaderMap = {
    'accept-ranges': 'bytes',
    'last-modified': info.lastModified.toUTCString(),
    etag: info.etag,
    'content-type': info.contentType ?? 'application/octet-stream',
  };
  if (range) {
    headers['content-length'] = String(range.end - range.start + 1);
    headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
  } else {
    headers['content-length'] = String(info.size);
  }
  if (info.contentEncoding !== undefined) headers['content-encoding'] = info.contentEncoding;
  if (info.contentDisposition !== undefined) headers['content-disposition'] = info.contentDisposition;
  if (info.contentLanguage !== undefined) headers['content-language'] = info.contentLanguage;
  if (info.cacheControl !== undefined) headers['cache-control'] = info.cacheControl;
  if (info.expires !== undefined) headers.expires = info.expires;
  if (info.storageClass !== undefined && info.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = info.storageClass;
  for (const [name, value] of Object.entries(info.metadata)) headers[`x-amz-meta-${name}`] = value;
  for (const [name, value] of Object.entries(overrides)) headers[name] = value;
  return headers;
}
