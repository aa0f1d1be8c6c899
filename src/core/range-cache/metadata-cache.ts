/**
 * Object metadata (size, ETag, headers) the hot-range cache has learned,
 * trusted for a short time and then learned again; bounded in entries,
 * oldest dropped first. A chunk fetch that finds the ETag changed drops the
 * entry at once.
 */
import type { ObjectInfo } from '../backend.ts';

const MAX_ENTRIES = 10_000;

export class MetadataCache {
  private readonly entries = new Map<string, { info: ObjectInfo; expires: number }>();

  constructor(private readonly now: () => number, private readonly maxEntries = MAX_ENTRIES) {}

  get(key: string): ObjectInfo | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.info;
  }

  set(key: string, info: ObjectInfo, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { info, expires: this.now() + ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
