/**
 * What the Workers runtime supplies to the app: the platform's clock and
 * randomness, JSON lines on the console (Workers Logs and Logpush take
 * them), background work kept alive with `ctx.waitUntil`, the portable
 * backends, Analytics Engine metering, one fetch-based HTTP client that keeps request bodies'
 * declared length (`fixed-length-fetch.ts`), the platform's fetch for
 * identity providers (`provider-fetch.ts`: STS and the console's sign-in),
 * and the Cache API as the hot-range cache's tier. SigV4 uses WebCrypto (the
 * app's default); there is no database policy store.
 */
import type { AppServices } from '../../app/services.ts';
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

/** `bindings`: the Worker's env, known once the first request arrives (Analytics Engine datasets are bindings). */
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

