/**
 * The hot-range cache settings one bucket runs with: its own `cache` section
 * over its connection's, field by field, with the defaults filled in. A
 * bucket whose section names a tier (`memory` or `disk`) gets tiers of its
 * own; otherwise it shares its connection's, so buckets over one connection
 * share the chunks they have in common.
 */
import type { CacheSection } from '../../config/cache-schema.ts';
import type { BucketConfig, ConnectionConfig } from '../config.ts';

const MiB = 1024 * 1024;

export const CACHE_DEFAULTS = {
  chunkSize: 4 * MiB,
  maxSpan: 32 * MiB,
  includePrivate: false,
  metadataTtlSeconds: 5,
  memoryMaxBytes: 256 * MiB,
} as const;

export interface RangeCacheSettings {
  chunkSize: number;
  maxSpan: number;
  includePrivate: boolean;
  metadataTtlMs: number;
  memory: { maxBytes: number };
  disk?: { path: string; maxBytes: number };
  /** Whose tiers serve the bucket: `connection:{name}` or `bucket:{account}/{name}`. */
  tierScope: string;
}

/** The settings for `bucket`, or undefined when the cache is off for it. */
export function effectiveCacheSettings(connection: ConnectionConfig | undefined, bucket: BucketConfig): RangeCacheSettings | undefined {
  const base: CacheSection | undefined = connection?.cache;
  const own: CacheSection | undefined = bucket.cache;
  if (!base && !own) return undefined;
  const merged: CacheSection = { ...base, ...own };
  if (merged.enabled === false) return undefined;
  const ownTiers = own !== undefined && (own.memory !== undefined || own.disk !== undefined);
  const tiers = ownTiers ? own : base ?? own!;
  return {
    chunkSize: merged.chunkSize ?? CACHE_DEFAULTS.chunkSize,
    maxSpan: merged.maxSpan ?? CACHE_DEFAULTS.maxSpan,
    includePrivate: merged.includePrivate ?? CACHE_DEFAULTS.includePrivate,
    metadataTtlMs: (merged.metadataTtlSeconds ?? CACHE_DEFAULTS.metadataTtlSeconds) * 1000,
    memory: { maxBytes: tiers.memory?.maxBytes ?? CACHE_DEFAULTS.memoryMaxBytes },
    ...(tiers.disk !== undefined && { disk: { ...tiers.disk } }),
    tierScope: ownTiers ? `bucket:${bucket.account ?? ''}/${bucket.name}` : `connection:${bucket.connection}`,
  };
}
