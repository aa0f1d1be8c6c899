/**
 * The `cache` section a connection or a bucket may carry: the hot-range
 * cache for ranged GETs (`core/range-cache/`). Every field is optional here
 * so a bucket's section can override its connection's field by field; the
 * defaults are applied when the two are merged (`core/range-cache/settings.ts`).
 * Rules within one section (a tier smaller than one chunk holds nothing) are
 * checked here; rules across sections in `cache-checks.ts`.
 */
import { z } from 'zod';
import { nonEmpty } from './schema-parts.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Bounds of the settings, shared with the messages that name them. */
export const CACHE_LIMITS = {
  minChunkSize: 64 * KiB,
  maxChunkSize: 64 * MiB,
  maxSpan: 1 * GiB,
  maxMetadataTtlSeconds: 3600,
} as const;

const bytes = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ error: `${what} must be a number of bytes` }).int({ error: `${what} must be a whole number of bytes` })
    .min(min, { error: `${what} must be at least ${min} byte${min === 1 ? '' : 's'}` })
    .max(max, { error: `${what} must be at most ${max} bytes` });

export const cacheSchema = z
  .strictObject({
    /** Default true once a `cache` section is present. */
    enabled: z.boolean().optional(),
    /** Bytes per aligned chunk; default 4 MiB. */
    chunkSize: bytes('chunkSize', CACHE_LIMITS.minChunkSize, CACHE_LIMITS.maxChunkSize).optional(),
    /** Longest range served through the cache; longer ones bypass it. Default 32 MiB. */
    maxSpan: bytes('maxSpan', 1, CACHE_LIMITS.maxSpan).optional(),
    /** Also cache buckets anonymous callers may not read. Default false. */
    includePrivate: z.boolean().optional(),
    /** How long an object's size, ETag and headers are trusted before they are learned again. Default 5 s. */
    metadataTtlSeconds: z.number().min(0).max(CACHE_LIMITS.maxMetadataTtlSeconds).optional(),
    memory: z.strictObject({ maxBytes: bytes('memory.maxBytes', 0) }).optional(),
    disk: z.strictObject({ path: nonEmpty('disk.path'), maxBytes: bytes('disk.maxBytes', 1) }).optional(),
  })
  .superRefine((cache, ctx) => {
    const chunk = cache.chunkSize;
    if (chunk === undefined) return;
    if (cache.disk && cache.disk.maxBytes < chunk) {
      ctx.addIssue({ code: 'custom', path: ['disk', 'maxBytes'], message: `smaller than one chunk (chunkSize ${chunk}): the disk tier would hold nothing` });
    }
    if (cache.memory && cache.memory.maxBytes > 0 && cache.memory.maxBytes < chunk) {
      ctx.addIssue({ code: 'custom', path: ['memory', 'maxBytes'], message: `smaller than one chunk (chunkSize ${chunk}): set 0 to turn the memory tier off, or at least one chunk` });
    }
  });

export type CacheSection = z.output<typeof cacheSchema>;
