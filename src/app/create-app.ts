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
import { type Outbound, createOutbound } from './outbound.ts';
import { type AppServices, backendServices } from './services.ts';
import { createAdminRoute } from '../admin/admin-route.ts';
import type { SpecialRoute } from '../core/routes.ts';
import { writeAudit } from './audit.ts';

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
  /** Revoke a stored access key in this process: refused from the next request on. */
  revokeAccessKey(accessKeyId: string): Promise<boolean>;
  /** Release what the app opened (the database policy store). The runtime's own services stay its to close. */
  close(): Promise<void>;
}

export async function createApp(config: SluiceConfig, services: AppServices, overrides: AppOverrides = {}): Promise<App> {
  const { runtime } = services;
  // The issuer and the outbound credentials connections draw on (federation, sealed keys), built
  // once the database store is open; the issuer is also the built-in identity provider of API keys.
  let outbound: Outbound | undefined;
  const access = await createAccessControl(config, services, {
    issuer: async (managed) => (outbound = await createOutbound(config, services, managed)).issuer,
  });
  if (outbound === undefined) throw new TypeError('the outbound services were not built');
  const backends = overrides.backends ?? createBackends(config.connections, services.backends, { ...backendServices(services), credentials: outbound.credentials });
  const gateway = createGateway({
    config,
    backends,
    resolution: access.store,
    authenticate: access.authenticate,
    policy: access.policy,
    runtime,
    ...overrides.gateway,
    routes: [...access.routes, ...outbound.routes, adminRoute(config, services, access), ...(overrides.gateway?.routes ?? [])],
  });
  return {
    gateway,
    access,
    backends,
    revokeAccessKey: (accessKeyId) => access.revokeAccessKey(accessKeyId),
    close: () => access.close(),
  };
}

/** The management API at `/.admin/v1/`: its operations need the database store; its document does not. */
function adminRoute(config: SluiceConfig, services: AppServices, access: AccessControl): SpecialRoute {
  const { runtime } = services;
  const { managed, issuer, apiKeyRecords } = access;
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
      },
    }),
  });
}
