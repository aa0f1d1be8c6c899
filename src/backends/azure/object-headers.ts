/**
 * Object metadata ↔ Blob service headers. Content headers travel as the
 * blob's properties (`x-ms-blob-content-*`, `x-ms-blob-cache-control`);
 * user metadata as `x-ms-meta-*` with names bridged by `metadata-names.ts`.
 * Azure has no `Expires` property and its own entity tags, so the object's
 * `Expires`, a multipart ETag and its part sizes, the S3 storage class, the
 * tag set (`x-amz-tagging` as sent) and an additional checksum
 * (`ALGORITHM:TYPE:value`) are kept in reserved metadata entries (names the
 * name encoding never produces). The storage class is recorded, not mapped
 * to an access tier: tiering is the account's lifecycle policy's concern.
 *
 * Azure metadata values are header values: printable ASCII without
 * surrounding spaces. Any other value (Unicode, padded) is stored as the
 * base64 of its UTF-8 and its Azure name listed in the reserved entry
 * `_sluice_b64`, so every value round-trips exactly; other Azure clients see
 * the base64 form. At most 8 KiB of metadata fit a blob (Azure's limit):
 * more is refused before anything is written.
 *
 * The ETag a client sees is S3's: the quoted MD5 of the content (from the
 * blob's Content-MD5), or the stored multipart ETag; Azure's own entity tag
 * is kept beside it to pin a version in conditional requests.
 */
import { UnsupportedMetadataError } from '../../core/backend-errors.ts';
import { settledChecksum, type ObjectChecksum, type ObjectInfo, type ObjectMetadata } from '../../core/backend.ts';
import type { HeaderMap } from '../../core/http.ts';
import { decodeMetadataName, encodeMetadataName, metadataNameProblem } from './metadata-names.ts';
import { decodeBase64, encodeBase64 } from './shared-key.ts';

/** Reserved metadata: the S3 ETag and part sizes of a multipart object, and the `Expires` header. */
export const ETAG_ENTRY = '_sluice_etag';
export const PARTS_ENTRY = '_sluice_parts';
export const EXPIRES_ENTRY = '_sluice_expires';
export const STORAGE_CLASS_ENTRY = '_sluice_storage_class';
export const TAGGING_ENTRY = '_sluice_tagging';
export const CHECKSUM_ENTRY = '_sluice_checksum';
/** Azure names (comma-separated) whose values are base64 of UTF-8. */
export const ENCODED_ENTRY = '_sluice_b64';
/** Azure's limit on a blob's metadata: names and values together. */
const MAX_METADATA_BYTES = 8 * 1024;
/** Reserved metadata of an upload's marker blob (`upload-registry.ts`). */
export const UPLOAD_KEY_ENTRY = '_sluice_upload_key';
export const UPLOAD_INITIATED_ENTRY = '_sluice_initiated';
const RESERVED = new Set([
  ETAG_ENTRY, PARTS_ENTRY, EXPIRES_ENTRY, STORAGE_CLASS_ENTRY, TAGGING_ENTRY, CHECKSUM_ENTRY, ENCODED_ENTRY, UPLOAD_KEY_ENTRY, UPLOAD_INITIATED_ENTRY,
]);
/** Longest part-size list kept (Azure holds 8 KiB of metadata per blob); a longer one is left out. */
const MAX_PARTS_ENTRY = 2048;

/** Part sizes run-length encoded (`5242880x9,1234`): uniform parts, the usual case, stay short. Undefined when too long. */
export function encodePartSizes(sizes: readonly number[]): string | undefined {
  const runs: string[] = [];
  for (let i = 0; i < sizes.length; ) {
    let j = i;
    while (j + 1 < sizes.length && sizes[j + 1] === sizes[i]) j++;
    runs.push(j > i ? `${sizes[i]}x${j - i + 1}` : String(sizes[i]));
    i = j + 1;
  }
  const text = runs.join(',');
  return text.length <= MAX_PARTS_ENTRY ? text : undefined;
}

export function decodePartSizes(text: string | undefined): number[] | undefined {
  if (!text || !/^\d+(x\d+)?(,\d+(x\d+)?)*$/.test(text)) return undefined;
  const sizes: number[] = [];
  for (const run of text.split(',')) {
    const [size, count = '1'] = run.split('x');
    if (sizes.length + Number(count) > 10_000) return undefined;
    for (let n = 0; n < Number(count); n++) sizes.push(Number(size));
  }
  return sizes;
}

/** Header values Azure stores verbatim: visible ASCII and spaces (no leading or trailing space). */
function valueProblem(value: string): boolean {
  return !/^[\x20-\x7e]*$/.test(value) || value !== value.trim();
}

/** Request headers that set the blob's properties and metadata; refuses what cannot round-trip. */
export function metadataHeaders(metadata: ObjectMetadata, extra: Record<string, string> = {}): HeaderMap {
  const headers: HeaderMap = {};
  const properties: [keyof ObjectMetadata, string][] = [
    ['contentType', 'x-ms-blob-content-type'],
    ['contentEncoding', 'x-ms-blob-content-encoding'],
    ['contentDisposition', 'x-ms-blob-content-disposition'],
    ['contentLanguage', 'x-ms-blob-content-language'],
    ['cacheControl', 'x-ms-blob-cache-control'],
  ];
  for (const [field, header] of properties) {
    const value = metadata[field] as string | undefined;
    if (value !== undefined && value !== '') headers[header] = value;
  }
  const encoded: string[] = [];
  const set = (name: string, value: string) => {
    if (valueProblem(value)) {
      encoded.push(name);
      headers[`x-ms-meta-${name}`] = encodeBase64(new TextEncoder().encode(value));
    } else {
      headers[`x-ms-meta-${name}`] = value;
    }
  };
  if (metadata.expires !== undefined) set(EXPIRES_ENTRY, metadata.expires);
  if (metadata.storageClass !== undefined && metadata.storageClass !== '') set(STORAGE_CLASS_ENTRY, metadata.storageClass);
  if (metadata.tagging !== undefined && metadata.tagging !== '') set(TAGGING_ENTRY, metadata.tagging);
  for (const [name, value] of Object.entries(metadata.metadata)) {
    const problem = metadataNameProblem(name);
    if (problem) throw new UnsupportedMetadataError(`x-amz-meta-${name}`, name, `${problem}; it cannot be stored in Azure metadata`);
    set(encodeMetadataName(name), value);
  }
  if (encoded.length > 0) headers[`x-ms-meta-${ENCODED_ENTRY}`] = encoded.join(',');
  for (const [name, value] of Object.entries(extra)) headers[`x-ms-meta-${name}`] = value;
  let size = 0;
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('x-ms-meta-')) size += name.length - 'x-ms-meta-'.length + new TextEncoder().encode(value).length;
  if (size > MAX_METADATA_BYTES) {
    throw new UnsupportedMetadataError('x-amz-meta-*', '', `Azure holds at most ${MAX_METADATA_BYTES} bytes of metadata per blob (user metadata, tags and the gateway's own entries together)`);
  }
  return headers;
}

/** The header recording the object's additional checksum; call once the body has ended (a trailer's value is known then). */
export function checksumHeaders(metadata: ObjectMetadata): HeaderMap {
  const checksum = settledChecksum(metadata.checksum);
  return checksum ? { [`x-ms-meta-${CHECKSUM_ENTRY}`]: `${checksum.algorithm}:${checksum.type}:${checksum.value}` } : {};
}

function checksumOf(text: string | undefined): ObjectChecksum | undefined {
  const match = /^([A-Z0-9]+):(FULL_OBJECT|COMPOSITE):([A-Za-z0-9+/=]+)$/.exec(text ?? '');
  return match ? { algorithm: match[1]!, type: match[2] as ObjectChecksum['type'], value: match[3]! } : undefined;
}

/** Azure metadata (lower-cased names) with base64-stored values decoded. */
function decodedValues(azure: Record<string, string>): Record<string, string> {
  const listed = azure[ENCODED_ENTRY];
  if (!listed) return azure;
  const out = { ...azure };
  for (const name of listed.split(',')) {
    const value = azure[name];
    if (value === undefined) continue;
    try {
      out[name] = new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64(value));
    } catch {
      // Not ours after all (changed by another client): left as stored.
    }
  }
  return out;
}

/** User metadata from Azure names (lower-cased): reserved entries left out, foreign names kept as they are. */
export function userMetadata(azure: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(decodedValues(azure))) {
    if (RESERVED.has(name)) continue;
    out[decodeMetadataName(name) ?? name] = value;
  }
  return out;
}

/** The S3 storage class recorded in listed or fetched metadata. */
export function storageClassOf(azure: Record<string, string>): string | undefined {
  return decodedValues(azure)[STORAGE_CLASS_ENTRY] || undefined;
}

/** Lower-case hex of a base64 MD5, or undefined when it is not one. */
export function md5HexOf(base64: string | undefined): string | undefined {
  if (!base64) return undefined;
  try {
    const bytes = decodeBase64(base64);
    if (bytes.length !== 16) return undefined;
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return undefined;
  }
}

export function md5Base64(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return encodeBase64(bytes);
}

/** The S3 ETag: the stored multipart ETag, else the quoted content MD5, else Azure's own tag. */
export function s3Etag(azureEtag: string, contentMd5: string | undefined, metadata: Record<string, string>): string {
  const stored = metadata[ETAG_ENTRY];
  if (stored && /^[0-9a-f]{32}-\d+$/.test(stored)) return `"${stored}"`;
  const hex = md5HexOf(contentMd5);
  return hex ? `"${hex}"` : azureEtag;
}

export interface BlobInfo {
  info: ObjectInfo;
  /** Azure's entity tag, quoted: what conditional requests to Azure name. */
  azureEtag: string;
}

/** Object info from the headers of Get Blob / Get Blob Properties. */
export function blobInfoFromHeaders(key: string, headers: HeaderMap, size: number): BlobInfo {
  const azureMeta: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-ms-meta-')) azureMeta[name.slice('x-ms-meta-'.length)] = value;
  }
  const decoded = decodedValues(azureMeta);
  const azureEtag = headers['etag'] ?? '""';
  // A ranged read carries the whole blob's MD5 in x-ms-blob-content-md5; Content-MD5 then covers the range.
  const contentMd5 = headers['x-ms-blob-content-md5'] ?? (headers['content-range'] ? undefined : headers['content-md5']);
  const info: ObjectInfo = {
    key,
    size,
    etag: s3Etag(azureEtag, contentMd5, azureMeta),
    lastModified: new Date(headers['last-modified'] ?? 0),
    metadata: userMetadata(azureMeta),
  };
  const optional: [keyof ObjectInfo, string | undefined][] = [
    ['contentType', headers['content-type']],
    ['contentEncoding', headers['content-encoding']],
    ['contentDisposition', headers['content-disposition']],
    ['contentLanguage', headers['content-language']],
    ['cacheControl', headers['cache-control']],
    ['expires', decoded[EXPIRES_ENTRY]],
    ['storageClass', decoded[STORAGE_CLASS_ENTRY]],
    ['tagging', decoded[TAGGING_ENTRY]],
  ];
  for (const [field, value] of optional) if (value !== undefined && value !== '') (info as unknown as Record<string, string>)[field] = value;
  const partSizes = /-\d+"$/.test(info.etag) ? decodePartSizes(azureMeta[PARTS_ENTRY]) : undefined;
  if (partSizes) info.partSizes = partSizes;
  const checksum = checksumOf(azureMeta[CHECKSUM_ENTRY]);
  if (checksum) info.checksum = checksum;
  return { info, azureEtag };
}
