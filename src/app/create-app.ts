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
import { type AccessControl, createAccessControl } from './access-control.ts';
import { createOutbound } from './outbound.ts';
import { hasSharedCounters } from '../core/limits/shared-counters.ts';
import type { GatewayMetrics } from '../core/metrics/gateway-metrics.ts';
import { countingStsExchanges, createMetrics, createOperations } from './operations.ts';
import { type AppServices, backendServices } from './services.ts';

export interface AppOverrides {
  /** Backends by connection name, instead of building them from the configuration (tests, benchmarks). */
  backends?: ReadonlyMap<string, Backend>;
  /** Gateway options the runtime sets itself (readiness) or that replace the app's (authentication in benchmarks). */
  gateway?: Partial<GatewayOptions>;
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
  /** Revoke a stored access key in this process: refused from the next request on. */
  revokeAccessKey(accessKeyId: string): Promise<boolean>;
  /** Release what the app opened (the database policy store). The runtime's own services stay its to close. */
  close(): Promise<void>;
}

export async function createApp(config: SluiceConfig, services: AppServices, overrides: AppOverrides = {}): Promise<App> {
  const metrics = createMetrics(config);
  // STS exchanges are counted as their audit events pass on the way to the log.
  const observed: AppServices = metrics ? { ...services, runtime: { ...services.runtime, log: countingStsExchanges(services.runtime.log, metrics) } } : services;
  const access = await createAccessControl(config, observed, metrics);
  // The issuer and the outbound credentials connections draw on (federation, sealed keys).
  const outbound = await createOutbound(config, services, access.managed, metrics);
  const shared = config.policy.redisUrl !== undefined && hasSharedCounters(access.sharedCache) ? access.sharedCache : undefined;
  let operations;
  try {
    operations = createOperations(config, services, { ...(metrics && { metrics }), ...(shared && { shared }) });
  } catch (error) {
    await access.close();
    throw error;
  }
  const backends = overrides.backends ?? createBackends(config.connections, services.backends, { ...backendServices(services), credentials: outbound.credentials });
  const gateway = createGateway({
    config,
    backends,
    resolution: access.store,
    authenticate: access.authenticate,
    policy: access.policy,
    runtime: services.runtime,
    ...operations.gateway,
    ...overrides.gateway,
    routes: [...access.routes, ...outbound.routes, ...operations.routes, ...(overrides.gateway?.routes ?? [])],
  });
  return {
    gateway,
    access,
    backends,
    ...(metrics && { metrics }),
    revokeAccessKey: (accessKeyId) => access.revokeAccessKey(accessKeyId),
    async close() {
      await operations.close();
      await access.close();
    },
  };
}
