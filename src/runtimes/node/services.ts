/**
 * What the Node runtime supplies to the app: Node's clock and randomness,
 * the given log sink, the Node backend registry (with fs), one keep-alive
 * HTTP client shared by every outbound connection (made on first use),
 * `node:crypto`'s synchronous SigV4 primitives, the SQLite or PostgreSQL
 * policy store, the Redis shared cache, the JSON-lines metering file, the
 * hot-range cache's memory and disk tiers, and the console's built files.
 */
import { randomFillSync } from 'node:crypto';
import type { AppServices } from '../../app/services.ts';
import type { LogSink } from '../../core/runtime.ts';
import { nodeBackends } from './backend-registry.ts';
import { nodeChunkStores } from './chunk-stores.ts';
import { loadConsoleAssets } from './console-assets.ts';
import { type NodeHttpClient, createNodeHttpClient } from './http-client.ts';
import { nodePolicyStoreFactory, nodeSharedCacheFactory } from './policy-store.ts';
import { nodeSigV4Crypto } from './sigv4-crypto.ts';
import { createFileMeteringSink } from './metering-file-sink.ts';

export interface NodeServices extends AppServices {
  /** Close the HTTP client's idle connections, if one was made. */
  close(): void;
}

export function createNodeServices(log: LogSink, options: { createHttpClient?: () => NodeHttpClient } = {}): NodeServices {
  let http: NodeHttpClient | undefined;
  return {
    runtime: {
      now: () => new Date(),
      randomBytes: (bytes) => randomFillSync(bytes),
      log,
    },
    backends: nodeBackends,
    httpClient: () => (http ??= (options.createHttpClient ?? createNodeHttpClient)()),
    sigv4Crypto: nodeSigV4Crypto,
    // Identity providers' documents only: the global fetch is fine off the hot path.
    fetch: (url, init) => fetch(url, init),
    openPolicyStore: nodePolicyStoreFactory(log),
    openSharedCache: nodeSharedCacheFactory(log),
    openMeteringSink: (sink, { onDrop }) => (sink.type === 'file' ? createFileMeteringSink({ path: sink.path, log, onDrop }) : undefined),
    chunkStores: nodeChunkStores(log),
    consoleAssets: () => loadConsoleAssets(),
    close: () => http?.close(),
  };
}
