/**
 * Metadata sidecars: one small JSON document per object under
 * `.sluice/meta/`, holding what a file cannot (ETag, content headers, user
 * metadata). Each records the key and the fingerprint (inode, size, mtime) of
 * the file it describes; a sidecar whose fingerprint no longer matches (the
 * file was replaced outside the gateway) is ignored rather than trusted.
 */
import { readFile } from 'node:fs/promises';
import { METADATA_STRING_FIELDS, type ObjectMetadata } from '../../core/backend.ts';

/** What the gateway knows about an object beyond its file. */
export interface StoredMeta extends ObjectMetadata {
  /** Quoted ETag. */
  etag: string;
  /**
   * True when written by a put: the content headers are exactly the client's.
   * False for a published file whose ETag was computed: its type is guessed.
   */
  put: boolean;
  /** Sizes of the parts of an object assembled from a multipart upload. */
  partSizes?: number[];
}

export interface Fingerprint {
  ino: number;
  size: number;
  mtimeMs: number;
}

interface SidecarDocument extends StoredMeta, Fingerprint {
  v: 1;
  key: string;
}

const HEADER_FIELDS = METADATA_STRING_FIELDS;

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export function fingerprintOf(stats: Fingerprint): Fingerprint {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function serializeSidecar(key: string, fingerprint: Fingerprint, meta: StoredMeta): string {
  const document: SidecarDocument = { v: 1, key, ...fingerprintOf(fingerprint), ...meta };
  return JSON.stringify(document);
}

/** The stored metadata for `key` if a sidecar exists and still describes the file with `fingerprint`. */
export async function readSidecar(path: string, key: string, fingerprint: Fingerprint): Promise<StoredMeta | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isSidecar(document) || document.key !== key || !sameFingerprint(document, fingerprint)) return undefined;
  const meta: StoredMeta = { etag: document.etag, put: document.put, metadata: { ...document.metadata } };
  for (const field of HEADER_FIELDS) if (typeof document[field] === 'string') meta[field] = document[field];
  if (Array.isArray(document.partSizes) && document.partSizes.every((n) => Number.isSafeInteger(n) && n >= 0)) meta.partSizes = [...document.partSizes];
  const checksum = document.checksum as unknown;
  if (isChecksum(checksum)) meta.checksum = { algorithm: checksum.algorithm, value: checksum.value, type: checksum.type };
  return meta;
}

function isChecksum(value: unknown): value is { algorithm: string; value: string; type: 'FULL_OBJECT' | 'COMPOSITE' } {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.algorithm === 'string' && typeof c.value === 'string' && (c.type === 'FULL_OBJECT' || c.type === 'COMPOSITE');
}

function isSidecar(value: unknown): value is SidecarDocument {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<string, unknown>;
  return d.v === 1 && typeof d.key === 'string' && typeof d.etag === 'string' && typeof d.put === 'boolean' &&
    typeof d.ino === 'number' && typeof d.size === 'number' && typeof d.mtimeMs === 'number' &&
    typeof d.metadata === 'object' && d.metadata !== null &&
    Object.values(d.metadata).every((v) => typeof v === 'string');
}
