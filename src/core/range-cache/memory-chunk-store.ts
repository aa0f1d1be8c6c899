/**
 * The memory tier: chunks in a `Map` kept in recency order (a read moves the
 * entry to the end), evicted from the front once their bytes pass
 * `maxBytes`. A chunk larger than the whole tier is not kept.
 */
import type { ChunkStore } from './chunk-store.ts';

export class MemoryChunkStore implements ChunkStore {
  private readonly entries = new Map<string, Uint8Array>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.total;
  }

  get count(): number {
    return this.entries.size;
  }

  get(key: string): Uint8Array | undefined {
    const bytes = this.entries.get(key);
    if (bytes === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, bytes);
    return bytes;
  }

  put(key: string, bytes: Uint8Array): void {
    if (bytes.byteLength > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.total -= previous.byteLength;
    }
    this.entries.set(key, bytes);
    this.total += bytes.byteLength;
    for (const [oldest, old] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= old.byteLength;
    }
  }
}
