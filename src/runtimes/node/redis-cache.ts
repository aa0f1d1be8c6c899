/**
 * The Node runtime's shared cache: Redis through ioredis. Commands fail fast
 * while the connection is down (no offline queue, no retries per command, a
 * short command timeout) so a Redis outage costs a lookup in the store, not
 * a stalled request; the client reconnects in the background.
 */
import { Redis } from 'ioredis';
import type { SharedCache } from '../../policy/shared-cache.ts';

export interface RedisCacheOptions {
  /** How long one command may take; default 250 ms. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Connection trouble (never with the URL, which may hold a password). */
  warn(message: string, error: unknown): void;
}

export function createRedisCache(url: string, options: RedisCacheOptions): SharedCache {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    // Reconnect forever, at most every 2 s: the fleet keeps serving meanwhile.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    lazyConnect: false,
  });
  let warned = false;
  // Without a listener, ioredis reports errors on stderr; one warning per outage is enough.
  redis.on('error', (error: unknown) => {
    if (warned) return;
    warned = true;
    options.warn('Redis connection failed; reconnecting in the background', error);
  });
  redis.on('ready', () => {
    warned = false;
  });
  return {
    get: (key) => redis.get(key),
    async set(key, value, ttlMs) {
      await redis.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    getField: (hash, field) => redis.hget(hash, field),
    async setField(hash, field, value, ttlMs) {
      await redis.multi().hset(hash, field, value).pexpire(hash, Math.max(1, Math.ceil(ttlMs))).exec();
    },
    async delete(...keys) {
      if (keys.length > 0) await redis.del(...keys);
    },
    async close() {
      redis.disconnect();
    },
  };
}
