/**
 * Object metadata ↔ the JSON API's object resource.
 *
 * Content headers map to the resource's own fields (`contentType`,
 * `contentEncoding`, `contentDisposition`, `contentLanguage`,
 * `cacheControl`); user metadata (`x-amz-meta-*`) to the `metadata` map,
 * names and values unchanged (GCS keeps any Unicode). What GCS has no field
 * for is kept in reserved `metadata` entries whose names contain `:`, which
 * no S3 metadata name (an HTTP header token) can: `Expires`, the storage
 * class as S3 names it, the tag set, the additional checksum, and for an
 * object assembled by a multipart upload its S3 ETag and part sizes.
 *
 * The ETag a client sees is S3's: the stored multipart ETag, else the quoted
 * lower-case hex of the resource's `md5Hash` (base64 in GCS), else — for a
 * composite object written by another tool, which has no MD5 — GCS's own
 * `etag`, quoted. The object's `generation` pins a version in conditional
 * requests to GCS.
 */
import { UnsupportedMetadataError } from '../../core/backend-errors.ts';
import type { ObjectChecksum, ObjectInfo, ObjectMetadata, ObjectSummary } from '../../core/backend.ts';
import { fromBase64, toBase64 } from '../../core/base64.ts';

export const RESERVED = {
  etag: 'sluice:etag',
  partSizes: 'sluice:part-sizes',
  expires: 'sluice:expires',
  storageClass: 'sluice:storage-class',
  tagging: 'sluice:tagging',
  checksum: 'sluice:checksum',
} as const;

/** The subset of the object resource the backend reads. */
export interface GcsObject {
  name: string;
  generation: string;
  metageneration?: string;
  size: string;
  md5Hash?: string;
  etag?: string;
  updated?: string;
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  componentCount?: number;
  metadata?: Record<string, string | null>;
}

/** Resource fields a write sets. */
export interface GcsObjectWrite {
  name?: string;
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  md5Hash?: string;
  metadata: Record<string, string>;
}

const CONTENT_FIELDS = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl'] as const;

export function md5HexToBase64(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return toBase64(bytes);
}

/** Lower-case hex of a base64 MD5, or undefined when it is not one. */
export function md5Base64ToHex(base64: string | undefined): string | undefined {
  if (!base64) return undefined;
  try {
    const bytes = fromBase64(base64);
    return bytes.length === 16 ? [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('') : undefined;
  } catch {
    return undefined;
  }
}

function encodeChecksum(checksum: ObjectChecksum | undefined): string | undefined {
  const value = checksum?.value;
  return checksum && value !== undefined ? `${checksum.algorithm}:${checksum.type}:${value}` : undefined;
}

function decodeChecksum(text: string | undefined | null): ObjectChecksum | undefined {
  const match = /^([A-Z0-9]+):(FULL_OBJECT|COMPOSITE):([A-Za-z0-9+/=]+)$/.exec(text ?? '');
  return match ? { algorithm: match[1]!, type: match[2] as ObjectChecksum['type'], value: match[3]! } : undefined;
}

/**
 * The resource fields for a write of `metadata`. `extra` adds reserved
 * entries (a multipart ETag). A checksum whose value is not known yet (a
 * trailer) is left out; `checksumEntry` supplies it once the body has ended.
 */
export function objectWrite(metadata: ObjectMetadata, extra: Record<string, string> = {}): GcsObjectWrite {
  const write: GcsObjectWrite = { metadata: {} };
  for (const field of CONTENT_FIELDS) {
    const value = metadata[field];
    if (value !== undefined && value !== '') write[field] = value;
  }
  for (const [name, value] of Object.entries(metadata.metadata)) {
    if (name.includes(':')) throw new UnsupportedMetadataError(`x-amz-meta-${name}`, name, 'metadata names must not contain ":"');
    write.metadata[name] = value;
  }
  const reserved: [string, string | undefined][] = [
    [RESERVED.expires, metadata.expires],
    [RESERVED.storageClass, metadata.storageClass && metadata.storageClass !== 'STANDARD' ? metadata.storageClass : undefined],
    [RESERVED.tagging, metadata.tagging || undefined],
    [RESERVED.checksum, encodeChecksum(metadata.checksum)],
  ];
  for (const [name, value] of reserved) if (value !== undefined) write.metadata[name] = value;
  Object.assign(write.metadata, extra);
  return write;
}

/** The reserved entry recording a checksum known only once the body ended; undefined when there is none. */
export function checksumEntry(checksum: ObjectChecksum | undefined): Record<string, string> | undefined {
  const value = encodeChecksum(checksum);
  return value === undefined ? undefined : { [RESERVED.checksum]: value };
}

/** The S3 ETag of an object resource. */
export function s3Etag(object: Pick<GcsObject, 'md5Hash' | 'etag' | 'metadata' | 'generation'>): string {
  const stored = object.metadata?.[RESERVED.etag];
  if (stored && /^[0-9a-f]{32}-\d+$/.test(stored)) return `"${stored}"`;
  const hex = md5Base64ToHex(object.md5Hash);
  if (hex) return `"${hex}"`;
  return `"${object.etag ?? object.generation}"`;
}

function storageClassOf(object: GcsObject): string | undefined {
  return object.metadata?.[RESERVED.storageClass] ?? undefined;
}

/** Object info from a resource; `key` is the gateway's key (base prefix removed). */
export function objectInfo(key: string, object: GcsObject): ObjectInfo {
  const metadata: Record<string, string> = {};
  const reservedNames = new Set<string>(Object.values(RESERVED));
  for (const [name, value] of Object.entries(object.metadata ?? {})) {
    if (value === null || reservedNames.has(name)) continue;
    metadata[name] = value;
  }
  const info: ObjectInfo = {
    key,
    size: Number(object.size),
    etag: s3Etag(object),
    lastModified: new Date(object.updated ?? 0),
    metadata,
  };
  for (const field of CONTENT_FIELDS) {
    const value = object[field];
    if (value !== undefined && value !== '') info[field] = value;
  }
  const stored = object.metadata ?? {};
  if (stored[RESERVED.expires] != null) info.expires = stored[RESERVED.expires]!;
  const storageClass = storageClassOf(object);
  if (storageClass) info.storageClass = storageClass;
  if (stored[RESERVED.tagging]) info.tagging = stored[RESERVED.tagging]!;
  const checksum = decodeChecksum(stored[RESERVED.checksum]);
  if (checksum) info.checksum = checksum;
  const sizes = stored[RESERVED.partSizes];
  if (sizes && /^\d+(,\d+)*$/.test(sizes)) info.partSizes = sizes.split(',').map(Number);
  return info;
}

/** A listing entry from a resource. */
export function objectSummary(key: string, object: GcsObject): ObjectSummary {
  const summary: ObjectSummary = { key, size: Number(object.size), etag: s3Etag(object), lastModified: new Date(object.updated ?? 0) };
  const storageClass = storageClassOf(object);
  if (storageClass) summary.storageClass = storageClass;
  return summary;
}
