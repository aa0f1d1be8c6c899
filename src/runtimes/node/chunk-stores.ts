/**
 * The hot-range cache's tiers on Node: a memory LRU per scope, over a disk
 * folder when the scope names one. Disk stores are kept per folder for the
 * life of the services, so an app rebuilt on reload reads the same folder
 * through the same index instead of two indexes racing over one folder.
 */
import type { ChunkStore, ChunkStoreFactory } from '../../core/range-cache/chunk-store.ts';
import { MemoryChunkStore } from '../../core/range-cache/memory-chunk-store.ts';
import { TieredChunkStore } from '../../core/range-cache/tiered-chunk-store.ts';
import type { LogSink } from '../../core/runtime.ts';
import { DiskChunkStore } from './disk-chunk-store.ts';

export function nodeChunkStores(log: LogSink): ChunkStoreFactory {
  const disks = new Map<string, DiskChunkStore>();
  return (scope, settings): ChunkStore => {
    const memory = new MemoryChunkStore(settings.memory.maxBytes);
    if (!settings.disk) return memory;
    let disk = disks.get(settings.disk.path);
    if (!disk) {
      disk = new DiskChunkStore(settings.disk.path, settings.disk.maxBytes);
      disks.set(settings.disk.path, disk);
      disk.opened().catch((error: unknown) => log.write({ level: 'error', msg: 'range cache disk tier unusable', scope, error: String(error) }));
    }
    return new TieredChunkStore(memory, disk, (error) => log.write({ level: 'warn', msg: 'range cache disk tier failed', scope, error: String(error) }));
  };
}
