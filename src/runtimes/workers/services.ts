/**
 * What the Workers runtime supplies to the app: the platform's clock and
 * randomness, JSON lines on the console (Workers Logs and Logpush take
 * them), background work kept alive with `ctx.waitUntil`, the portable
 * backends, Analytics Engine metering, one fetch-based HTTP client that keeps request bodies'
 * declared length (`fixed-length-fetch.ts`), the platform's fetch for
 * identity providers (`provider-fetch.ts`: STS and the console's sign-in),
 * the Cache API as the hot-range cache's tier, and the D1 policy store over
 * the database binding `policy.binding` names. SigV4 uses WebCrypto (the
 * app's default).
 */
import type { AppServices, D1PolicyStoreFactory } from '../../app/services.ts';
import { parseMasterKey } from '../../auth/secret-box.ts';
import { D1PolicyStore } from '../../policy/d1/d1-store.ts';
import { isD1Database } from '../../policy/d1/d1-types.ts';
import { portableBackends } from '../../backends/portable-registry.ts';
import { createFetchHttpClient } from '../../core/fetch-http-client.ts';
import type { HttpClient } from '../../core/http.ts';
import type { LogSink } from '../../core/runtime.ts';
import { MemoryChunkStore } from '../../core/range-cache/memory-chunk-store.ts';
import { CacheApiChunkStore, defaultCache } from './cache-api-chunk-store.ts';
import type { BackgroundWork } from './background.ts';
import { fixedLengthFetch } from './fixed-length-fetch.ts';
import { providerFetch } from './provider-fetch.ts';
import { createAnalyticsEngineSink, isAnalyticsEngineDataset } from './analytics-engine-sink.ts';

/** One JSON line per event; `console.log` is synchronous on Workers, so nothing is held back. */
export const consoleLog: LogSink = { write: (event) => console.log(JSON.stringify(event)) };

/**
 * The D1 store over `env[policy.binding]`; refuses, naming the binding, when the
 * Worker has no such binding or it is not a D1 database, and (in `open`) a
 * database not migrated to this Sluice's schema or sealed with another master key.
 */
export function d1PolicyStoreFactory(bindings: () => Record<string, unknown>): D1PolicyStoreFactory {
  return async (policy) => {
    const { binding } = policy;
    const env = bindings();
    if (!Object.hasOwn(env, binding)) {
      throw new TypeError(`policy.binding: the Worker has no binding named ${binding}; declare the D1 database in wrangler.toml under [[d1_databases]] with binding = "${binding}"`);
    }
    const db = env[binding];
    if (!isD1Database(db)) throw new TypeError(`policy.binding: ${binding} is bound, but not to a D1 database (a var, a secret or another kind of binding)`);
    if (policy.masterKey === undefined) throw new TypeError('policy.type d1 needs policy.masterKey to decrypt the stored secrets');
    return D1PolicyStore.open(db, { masterKey: parseMasterKey(policy.masterKey) });
  };
}

/** `bindings`: the Worker's env, known once the first request arrives (Analytics Engine datasets and D1 databases are bindings). */
export function createWorkersServices(background: BackgroundWork, log: LogSink = consoleLog, bindings: () => Record<string, unknown> = () => ({})): AppServices {
  let http: HttpClient | undefined;
  return {
    runtime: {
      now: () => new Date(),
      randomBytes: (bytes) => crypto.getRandomValues(bytes),
      log,
      waitUntil: (work) => background.add(work),
    },
    backends: portableBackends,
    // Discovery documents, JWKS and the console's code exchange, without following redirects.
    fetch: providerFetch(),
    httpClient: () => (http ??= createFetchHttpClient(fixedLengthFetch())),
    openD1PolicyStore: d1PolicyStoreFactory(bindings),
    openMeteringSink(sink, { onDrop }) {
      if (sink.type !== 'analytics-engine') return undefined;
      const dataset = bindings()[sink.binding];
      if (!isAnalyticsEngineDataset(dataset)) throw new TypeError(`metering.sink.binding: the Worker has no Analytics Engine dataset bound as ${sink.binding}`);
      return createAnalyticsEngineSink(dataset, onDrop);
    },
    // The Cache API where the platform has one; the isolate's memory otherwise (bounded as configured).
    chunkStores: (scope, settings) => {
      const cache = defaultCache();
      return cache ? new CacheApiChunkStore(cache, scope) : new MemoryChunkStore(settings.memory.maxBytes);
    },
  };
}

