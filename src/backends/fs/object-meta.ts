/**
 * Object metadata for the fs backend: the in-memory cache in front of the
 * sidecars, computing the ETag of published files that have none, and
 * turning a file's stats plus its metadata into an `ObjectInfo`.
 */
import type { Stats } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { METADATA_STRING_FIELDS, settledChecksum, type ObjectInfo, type ObjectMetadata } from '../../core/backend.ts';
import { KeyedLock, Semaphore } from './concurrency.ts';
import { contentTypeFor } from './content-types.ts';
import { closeQuietly, md5OfOpenFile, openForRead, statAsync } from './fs-ops.ts';
import { MetaCache } from './meta-cache.ts';
import type { PrivateArea } from './private-area.ts';
import { fingerprintOf, readSidecar, sameFingerprint, serializeSidecar, type StoredMeta } from './sidecar.ts';

const HEADER_FIELDS = METADATA_STRING_FIELDS;

/** Metadata to store for a put: the client's headers, exactly as sent. Call once the body has ended (a trailer checksum is known then). */
export function putMeta(etag: string, metadata: ObjectMetadata, partSizes?: readonly number[]): StoredMeta {
  const meta: StoredMeta = { etag, put: true, metadata: { ...metadata.metadata } };
  if (partSizes) meta.partSizes = [...partSizes];
  for (const field of HEADER_FIELDS) if (metadata[field] !== undefined) meta[field] = metadata[field];
  const checksum = settledChecksum(metadata.checksum);
  if (checksum) meta.checksum = checksum;
  return meta;
}

export function objectInfo(key: string, stats: Stats, meta: StoredMeta): ObjectInfo {
  const info: ObjectInfo = { key, size: stats.size, etag: meta.etag, lastModified: stats.mtime, metadata: { ...meta.metadata } };
  for (const field of HEADER_FIELDS) if (meta[field] !== undefined) info[field] = meta[field];
  if (meta.checksum) info.checksum = { ...meta.checksum };
  if (!meta.put && info.contentType === undefined) info.contentType = contentTypeFor(key);
  if (meta.partSizes) info.partSizes = [...meta.partSizes];
  return info;
}

export class ObjectMetaStore {
  private readonly cache = new MetaCache();
  private readonly loading = new Map<string, Promise<StoredMeta>>();
  /** Bounds the files open at once for sidecar reads and hashing (a listing may ask for a thousand). */
  private readonly work = new Semaphore(32);

  constructor(
    private readonly area: PrivateArea,
    /** The backend's per-path commit lock, shared so saving a computed ETag cannot race a put. */
    private readonly locks: KeyedLock,
    private readonly writable: boolean,
  ) {}

  /** The cached metadata of this exact file version (`path` is the key's own path). */
  cached(path: string, stats: Stats): StoredMeta | undefined {
    return this.cache.get(path, stats);
  }

  /**
   * Metadata from the sidecar, or else a computed ETag; concurrent loads of one
   * file version share the work. `readPath` is the file actually read (a
   * symlink's target); `fd`, when given, is that file already open.
   */
  load(key: string, path: string, readPath: string, stats: Stats, fd?: number): Promise<StoredMeta> {
    const id = `${path}\0${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.work.run(() => this.readOrCompute(key, path, readPath, stats, fd)).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  /** Record a put's metadata for the file version it produced. Call under the path's lock. */
  async store(key: string, path: string, stats: Stats, meta: StoredMeta): Promise<void> {
    await this.area.writeAtomic(this.area.sidecarPath(key), serializeSidecar(key, stats, meta));
    this.cache.set(path, stats, meta);
  }

  /** Drop a deleted object's metadata. Call under the path's lock. */
  async forget(key: string, path: string): Promise<void> {
    this.cache.delete(path);
    await unlink(this.area.sidecarPath(key)).catch(() => {});
  }

  private async readOrCompute(key: string, path: string, readPath: string, stats: Stats, fd?: number): Promise<StoredMeta> {
    const stored = await readSidecar(this.area.sidecarPath(key), key, stats);
    if (stored) {
      this.cache.set(path, stats, stored);
      return stored;
    }
    const ownFd = fd === undefined ? await openForRead(readPath, true) : undefined;
    let md5: string;
    try {
      md5 = await md5OfOpenFile(fd ?? ownFd!);
    } finally {
      if (ownFd !== undefined) closeQuietly(ownFd);
    }
    const meta: StoredMeta = { etag: `"${md5}"`, put: false, metadata: {} };
    // A put may have cached the authoritative metadata meanwhile; do not overwrite it.
    if (!this.cache.get(path, stats)) this.cache.set(path, stats, meta);
    if (this.writable) void this.persistComputed(key, path, readPath, stats, meta).catch(() => {});
    return meta;
  }

  /** Save a computed ETag, unless the file changed or a put wrote its own sidecar meanwhile. */
  private persistComputed(key: string, path: string, readPath: string, stats: Stats, meta: StoredMeta): Promise<void> {
    return this.locks.run(path, async () => {
      const current = await statAsync(readPath).catch(() => undefined);
      if (!current || !sameFingerprint(current, stats)) return;
      if (await readSidecar(this.area.sidecarPath(key), key, current)) return;
      await this.area.writeAtomic(this.area.sidecarPath(key), serializeSidecar(key, fingerprintOf(stats), meta));
    });
  }
}
