/**
 * The Node runtime's shared cache: Redis through ioredis. Commands fail fast
 * while the connection is down (no offline queue, no retries per command, a
 * short command timeout) so a Redis outage costs a lookup in the store, not
 * a stalled request; the client reconnects in the background.
 */
import { Redis } from 'ioredis';
import type { SharedCache } from '../../policy/shared-cache.ts';
import type { SharedCounters } from '../../core/limits/shared-counters.ts';
import type { TakeResult } from '../../core/limits/token-buckets.ts';

/**
 * Token buckets taken atomically across the fleet, on Redis's clock (the
 * instances' clocks may differ). KEYS: the buckets; ARGV: rate and burst per
 * key. Answers {0} when a token was taken from each, else {wait in µs, index
 * of the bucket that refused} and takes nothing.
 */
const TAKE_TOKENS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tokens = {}
local wait, refused = 0, 0
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local have = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  if now > at then have = math.min(burst, have + (now - at) * rate / 1000000) end
  tokens[i] = have
  if have < 1 then
    local w = math.ceil((1 - have) * 1000000 / rate)
    if w > wait then wait, refused = w, i end
  end
end
if wait > 0 then return {wait, refused} end
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  redis.call('HSET', key, 'tokens', tostring(tokens[i] - 1), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
end
return {0}
`;

/** Adds to a counter, starting its expiry when the counter is new. */
const ADD_COUNTER = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total
`;

/** Keys of the limit tier, in one hash slot so a request's buckets can be taken in one script on a cluster too. */
const LIMIT_PREFIX = 'sluice:{limits}:';

export interface RedisCacheOptions {
  /** How long one command may take; default 250 ms. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Connection trouble (never with the URL, which may hold a password). */
  warn(message: string, error: unknown): void;
}

export function createRedisCache(url: string, options: RedisCacheOptions): SharedCache & SharedCounters {
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
    async takeTokens(takes): Promise<TakeResult> {
      const keys = takes.map((take) => LIMIT_PREFIX + take.key);
      const args = takes.flatMap((take) => [String(take.rule.ratePerSecond), String(take.rule.burst)]);
      const answer = (await redis.eval(TAKE_TOKENS, keys.length, ...keys, ...args)) as number[];
      const wait = Number(answer[0]);
      return wait > 0 ? { waitSeconds: wait / 1_000_000, refusedBy: Number(answer[1]) - 1 } : { waitSeconds: 0 };
    },
    async addCounter(key, amount, ttlMs) {
      return Number(await redis.eval(ADD_COUNTER, 1, LIMIT_PREFIX + key, String(Math.round(amount)), String(Math.max(1, Math.ceil(ttlMs)))));
    },
    async getCounter(key) {
      return Number((await redis.get(LIMIT_PREFIX + key)) ?? 0);
    },
    async close() {
      redis.disconnect();
    },
  };
}
