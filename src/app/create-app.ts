/**
 * `createApp`: the runtime-agnostic composition root. From a validated
 * configuration and the runtime's services it builds the policy stores and
 * their cache, authentication, the access policy and one backend per
 * connection (through the runtime's backend registry), and wires them into
 * the gateway. A runtime adapts I/O to `app.gateway` and calls `close()`
 * when it stops.
 */
import { createBackends } from '../backends/registry.ts';
import type { Backend } from '../core/backend.ts';
import type { SluiceConfig } from '../core/config.ts';
import { type Gateway, type GatewayOptions, createGateway } from '../core/gateway.ts';
import { type CacheOutcomeListener, RangeCache } from '../core/range-cache/range-cache.ts';
import { type AccessControl, createAccessControl } from './access-control.ts';
import { type Outbound, createOutbound } from './outbound.ts';
import { hasSharedCounters } from '../core/limits/shared-counters.ts';
import type { GatewayMetrics } from '../core/metrics/gateway-metrics.ts';
import { countingStsExchanges, createMetrics, createOperations } from './operations.ts';
import { createConsoleRoutes } from './console.ts';
import { type AppServices, backendServices } from './services.ts';
import { createAdminRoute } from '../admin/admin-route.ts';
import type { SpecialRoute } from '../core/routes.ts';
import { writeAudit } from './audit.ts';

export interface AppOverrides {
  /** Backends by connection name, instead of building them from the configuration (tests, benchmarks). */
  backends?: ReadonlyMap<string, Backend>;
  /** Gateway options the runtime sets itself (readiness) or that replace the app's (authentication in benchmarks). */
  gateway?: Partial<GatewayOptions>;
  /** Told whether each GET the hot-range cache looked at was a hit, a miss or a bypass (metrics). */
  onCacheOutcome?: CacheOutcomeListener;
  /** The metrics of the app this one replaces on a reload, kept when the new configuration's label set is the same. */
  previousMetrics?: GatewayMetrics;
}

export interface App {
  gateway: Gateway;
  /** The policy store (cached), authentication and the access policy the gateway uses. */
  access: AccessControl;
  backends: ReadonlyMap<string, Backend>;
  /**
   * The metrics registry and series, when the `metrics` section enables
   * them: a runtime adds its own gauges (Node: open connections) and serves
   * them on a listener of its own when `metrics.listen` is set. Caches report
   * into `metrics` as a `CacheMetrics`.
   */
  metrics?: GatewayMetrics;
  /** The hot-range cache (it applies only to buckets configured with one). */
  rangeCache: RangeCache;
  /** Revoke a stored access key in this process: refused from the next request on. */
  revokeAccessKey(accessKeyId: string): Promise<boolean>;
  /** Release what the app opened (the database policy store). The runtime's own services stay its to close. */
  close(): Promise<void>;
}

export async function createApp(config: SluiceConfig, services: AppServices, overrides: AppOverrides = {}): Promise<App> {
  const { runtime } = services;
  const metrics = createMetrics(config, overrides.previousMetrics);
  // STS exchanges are counted as their audit events pass on the way to the log.
  const observed: AppServices = metrics ? { ...services, runtime: { ...runtime, log: countingStsExchanges(runtime.log, metrics) } } : services;
  // The issuer and the outbound credentials connections draw on (federation, sealed keys), built
  // once the database store is open; the issuer is also the built-in identity provider of API keys.
  let outbound: Outbound | undefined;
  const access = await createAccessControl(config, observed, {
    issuer: async (managed) => (outbound = await createOutbound(config, services, managed, metrics)).issuer,
    ...(metrics && { cacheMetrics: metrics }),
  });
  if (outbound === undefined) throw new TypeError('the outbound services were not built');
  const shared = config.policy.redisUrl !== undefined && hasSharedCounters(access.sharedCache) ? access.sharedCache : undefined;
  let operations;
  try {
    operations = createOperations(config, services, { ...(metrics && { metrics }), ...(shared && { shared }) });
  } catch (error) {
    await access.close();
    throw error;
  }
  const routes = [...access.routes, ...outbound.routes, ...operations.routes, adminRoute(config, services, access), ...(overrides.gateway?.routes ?? [])];
  let consoleRoutes: SpecialRoute[];
  try {
    // The console learns from the other routes whether the management API is served.
    consoleRoutes = await createConsoleRoutes(config, services, routes);
  } catch (error) {
    await operations.close();
    await access.close();
    throw error;
  }
  const backends = overrides.backends ?? createBackends(config.connections, services.backends, { ...backendServices(services), credentials: outbound.credentials });
  const rangeCache = new RangeCache({
    config,
    stores: services.chunkStores,
    now: () => runtime.now().getTime(),
    onOutcome: overrides.onCacheOutcome ?? (metrics && ((cache, outcome) => metrics.record(cache, outcome))),
    log: runtime.log,
    ...(runtime.waitUntil && { waitUntil: (work: Promise<unknown>) => runtime.waitUntil!(work) }),
  });
  const gateway = createGateway({
    config,
    rangeCache,
    backends,
    resolution: access.store,
    authenticate: access.authenticate,
    policy: access.policy,
    ...(access.buckets && { buckets: access.buckets }),
    runtime,
    ...operations.gateway,
    ...overrides.gateway,
    routes: [...routes, ...consoleRoutes],
  });
  return {
    gateway,
    access,
    backends,
    ...(metrics && { metrics }),
    rangeCache,
    revokeAccessKey: (accessKeyId) => access.revokeAccessKey(accessKeyId),
    async close() {
      await operations.close();
      await access.close();
    },
  };
}

/** The management API at `/.admin/v1/`: its operations need the database store; its document does not. */
function adminRoute(config: SluiceConfig, services: AppServices, access: AccessControl): SpecialRoute {
  const { runtime } = services;
  const { managed, issuer, apiKeyRecords, sts } = access;
  return createAdminRoute({
    auth: {
      authenticate: access.authenticate,
      ...(issuer && { issuer }),
      ...(apiKeyRecords && { apiKeys: apiKeyRecords }),
      operators: new Set(config.admin?.operators ?? []),
      now: () => runtime.now(),
    },
    ...(managed && {
      services: {
        config,
        managed,
        policy: access.store,
        ...(issuer && { issuer }),
        runtime,
        revokeAccessKey: (id, actor) => access.revokeAccessKey(id, actor),
        revokeApiKey: (jti, actor) => access.revokeApiKey(jti, actor),
        registerIdentityProvider: (account, input, options) => access.registerIdentityProvider(account, input, options),
        removeIdentityProvider: (account, id, actor) => access.removeIdentityProvider(account, id, actor),
        audit: (event, fields) => writeAudit(runtime, event, fields),
        ...(sts && { roleTokens: { getRole: (account, name) => sts.roles.getRole(account, name), test: (role, token) => sts.testRoleToken(role, token) } }),
      },
    }),
  });
}
