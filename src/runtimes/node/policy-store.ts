/**
 * The Node runtime's database policy store, SQLite or PostgreSQL, and its
 * shared cache (Redis), each loaded only when the configuration names it,
 * so their modules are not needed otherwise.
 */
import { parseMasterKey } from '../../auth/secret-box.ts';
import type { PolicyStoreFactory, SharedCacheFactory } from '../../app/services.ts';
import type { LogSink } from '../../core/runtime.ts';
import type { SharedCache } from '../../policy/shared-cache.ts';
import type { SharedCounters } from '../../core/limits/shared-counters.ts';

export function nodePolicyStoreFactory(log: LogSink): PolicyStoreFactory {
  const warn = (msg: string, error: unknown) => log.write({ level: 'warn', msg, error: error instanceof Error ? error.message : String(error) });
  return async (policy, options = {}) => {
    const field = policy.sqlitePath !== undefined ? 'sqlitePath' : 'postgresUrl';
    if (policy.masterKey === undefined) throw new TypeError(`policy.${field} needs policy.masterKey to encrypt stored secrets`);
    const masterKey = parseMasterKey(policy.masterKey);
    if (policy.sqlitePath !== undefined) {
      const { SqlitePolicyStore } = await import('../../policy/sqlite/sqlite-store.ts');
      return SqlitePolicyStore.open(policy.sqlitePath, { masterKey, ...options });
    }
    const { PostgresPolicyStore } = await import('../../policy/postgres/postgres-store.ts');
    return PostgresPolicyStore.open(policy.postgresUrl!, { masterKey, warn, ...options });
  };
}

/** Kept for callers that open SQLite stores without a log. */
export const openSqlitePolicyStore: PolicyStoreFactory = nodePolicyStoreFactory({ write: () => undefined });

export function nodeSharedCacheFactory(log: LogSink): SharedCacheFactory {
  const warn = (msg: string, error: unknown) => log.write({ level: 'warn', msg, error: error instanceof Error ? error.message : String(error) });
  // ioredis is loaded on first use; until then the cache reports itself unavailable, which callers survive.
  return (url) => {
    let cache: (SharedCache & SharedCounters) | undefined;
    const loading = import('./redis-cache.ts').then(({ createRedisCache }) => (cache = createRedisCache(url, { warn })));
    const use = async <T>(fn: (c: SharedCache & SharedCounters) => Promise<T>): Promise<T> => fn(cache ?? (await loading));
    const shared: SharedCache & SharedCounters = {
      // Rate limits and quotas share the connection.
      takeTokens: (takes) => use((c) => c.takeTokens(takes)),
      addCounter: (key, amount, ttl) => use((c) => c.addCounter(key, amount, ttl)),
      getCounter: (key) => use((c) => c.getCounter(key)),
      get: (key) => use((c) => c.get(key)),
      set: (key, value, ttl) => use((c) => c.set(key, value, ttl)),
      getField: (hash, field) => use((c) => c.getField(hash, field)),
      setField: (hash, field, value, ttl) => use((c) => c.setField(hash, field, value, ttl)),
      delete: (...keys) => use((c) => c.delete(...keys)),
      close: async () => (await loading).close(),
    };
    return shared;
  };
}
