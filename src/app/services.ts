/**
 * What a runtime supplies to the app: its primitives (clock, randomness,
 * log sink, background work), the backends it can run, its outbound HTTP
 * client and SigV4 crypto, and — where it has one — a database policy
 * store (Node: SQLite or PostgreSQL; Workers: a D1 binding). The app imports none of these itself, so it runs unchanged on Node
 * and on Workers.
 */
import type { SigV4Crypto } from '../auth/sigv4/crypto.ts';
import type { BackendServices } from '../backends/plugin.ts';
import type { BackendRegistry } from '../backends/registry.ts';
import type { ConsoleAssets } from '../console/console-assets.ts';
import type { MeteringSinkConfig, PolicyConfig } from '../core/config.ts';
import type { MeteringSink } from '../core/metering/usage-record.ts';
import type { HttpClient } from '../core/http.ts';
import type { ChunkStoreFactory } from '../core/range-cache/chunk-store.ts';
import type { RuntimeContext } from '../core/runtime.ts';
import type { FetchLike } from '../oidc/bounded-fetch.ts';
import type { SharedCache } from '../policy/shared-cache.ts';
import type { PolicyStore, WritablePolicyStore } from '../policy/store.ts';

/** Opens the managed policy store `policy.sqlitePath` or `policy.postgresUrl` names (Node: SQLite or PostgreSQL, loaded on demand). */
export type PolicyStoreFactory = (
  policy: PolicyConfig & ({ sqlitePath: string } | { postgresUrl: string }),
  /** Accounts defined outside the store (the configuration file), which keys made at run time may belong to. */
  options?: { accountExists?: (name: string) => boolean },
) => Promise<WritablePolicyStore>;

/**
 * Opens the policy store of a database bound to the runtime (`policy.type: d1`,
 * Workers: the D1 binding `policy.binding` names), read-only for the app:
 * refuses at start-up when the binding is missing or is no such database.
 */
export type D1PolicyStoreFactory = (policy: PolicyConfig & { type: 'd1'; binding: string }) => Promise<PolicyStore>;

/** Opens a metering sink of a kind only this runtime has (Node: `file`; Workers: `analytics-engine`); undefined for others. */
export type MeteringSinkFactory = (sink: MeteringSinkConfig, context: { onDrop(count: number): void }) => MeteringSink | undefined;

/** Connects to the fleet's shared cache `policy.redisUrl` names (Node: Redis). */
export type SharedCacheFactory = (url: string) => SharedCache;

export interface AppServices {
  /** Clock, randomness, the log sink (access log and audit events) and `waitUntil`. */
  runtime: RuntimeContext;
  /** The backend plug-ins this runtime offers. */
  backends: BackendRegistry;
  /** The shared outbound HTTP client; called only when a backend needs one, and the runtime closes it. */
  httpClient(): HttpClient;
  /** Signature primitives; WebCrypto when absent. Node passes its faster synchronous HMAC and SHA-256. */
  sigv4Crypto?: SigV4Crypto;
  /**
   * Fetches identity providers' discovery documents and JWKS (off the hot
   * path: a few requests per provider and hour). Absent: a configuration with
   * an `sts` section is refused at start-up.
   */
  fetch?: FetchLike;
  /** Absent: a configuration with `policy.sqlitePath` is refused at start-up. */
  openPolicyStore?: PolicyStoreFactory;
  /** Absent: a configuration with `policy.type: d1` is refused at start-up (D1 is a Workers store). */
  openD1PolicyStore?: D1PolicyStoreFactory;
  /** Absent: a configuration with `policy.redisUrl` is refused at start-up. */
  openSharedCache?: SharedCacheFactory;
  /** Runtime-specific metering sinks; the HTTP sink needs none. */
  openMeteringSink?: MeteringSinkFactory;
  /**
   * The hot-range cache's tiers for one scope (Node: memory over an optional
   * disk folder; Workers: the Cache API). Absent: a memory tier per scope.
   */
  chunkStores?: ChunkStoreFactory;
  /** The web console's built files (Node: `dist/console-assets/`; Workers: embedded). Absent or undefined: an enabled console is refused at start-up. */
  consoleAssets?: () => Promise<ConsoleAssets | undefined>;
}

/** The part of the services a backend may use. */
export function backendServices(services: AppServices): BackendServices {
  const { runtime } = services;
  return { httpClient: () => services.httpClient(), now: () => runtime.now(), log: runtime.log };
}
