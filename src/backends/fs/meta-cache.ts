/**
 * An in-memory cache of object metadata keyed by file path and valid only for
 * the exact file it was read from (inode, size, mtime), so the hot read path
 * is one stat plus a map lookup. Least recently used entries are evicted.
 */
import { sameFingerprint, type Fingerprint, type StoredMeta } from './sidecar.ts';

interface Entry {
  fingerprint: Fingerprint;
  meta: StoredMeta;
}

export class MetaCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 50_000) {}

  get(path: string, fingerprint: Fingerprint): StoredMeta | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    if (!sameFingerprint(entry.fingerprint, fingerprint)) {
      this.entries.delete(path);
      return undefined;
    }
    // Re-insert to mark it recently used (Map keeps insertion order).
    this.entries.delete(path);
    this.entries.set(path, entry);
    return entry.meta;
  }

  set(path: string, fingerprint: Fingerprint, meta: StoredMeta): void {
    this.entries.delete(path);
    this.entries.set(path, { fingerprint: { ino: fingerprint.ino, size: fingerprint.size, mtimeMs: fingerprint.mtimeMs }, meta });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(path: string): void {
    this.entries.delete(path);
  }
}
