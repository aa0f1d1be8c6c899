/**
 * Where the hot-range cache keeps chunks: a store of immutable byte arrays
 * by key. Keys name an object generation (its strong ETag) and a chunk, so
 * an entry never changes once written; a store may drop any entry at any
 * time (eviction), and a read that fails is a miss. Node stacks a memory
 * LRU over an optional disk tier; Workers use the Cache API.
 */
import type { RangeCacheSettings } from './settings.ts';

export interface ChunkStore {
  /** The chunk's bytes, or undefined when absent (or unreadable). */
  get(key: string): Promise<Uint8Array | undefined> | Uint8Array | undefined;
  /** Keep the chunk if there is room; never throws for lack of it. */
  put(key: string, bytes: Uint8Array): Promise<void> | void;
}

/**
 * Makes the tiers for one scope (a connection, or a bucket with tiers of its
 * own). Called once per scope and app; a runtime may hand back a store it
 * already holds for the same settings (a disk folder survives a reload).
 */
export type ChunkStoreFactory = (scope: string, settings: RangeCacheSettings) => ChunkStore;
