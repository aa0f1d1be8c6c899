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
import { createPolicyApiSigner } from '../oidc/issuer/policy-api-signer.ts';
import { createOutbound } from './outbound.ts';
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
  /** Revoke a stored access key in this process: refused from the next request on. */
  revokeAccessKey(accessKeyId: string): Promise<boolean>;
  /** Release what the app opened (the database policy store). The runtime's own services stay its to close. */
  close(): Promise<void>;
}

export async function createApp(config: SluiceConfig, services: AppServices, overrides: AppOverrides = {}): Promise<App> {
  const { runtime } = services;
  const access = await createAccessControl(config, services);
  // The issuer and the outbound credentials connections draw on (federation, sealed keys).
  const outbound = await createOutbound(config, services, access.managed);
  // Policy API calls signed by the issuer (`policy.auth.type: issuer`): `sub` = the account, `aud` = the API.
  if (access.usePolicyApiSigner && config.policy.auth?.type === 'issuer') {
    if (!outbound.issuer) throw new TypeError('policy.auth type issuer needs the issuer section');
    access.usePolicyApiSigner(createPolicyApiSigner(outbound.issuer, runtime, { audience: config.policy.auth.audience }));
  }
  const backends = overrides.backends ?? createBackends(config.connections, services.backends, { ...backendServices(services), credentials: outbound.credentials });
  const gateway = createGateway({
    config,
    backends,
    resolution: access.store,
    authenticate: access.authenticate,
    policy: access.policy,
    runtime,
    ...overrides.gateway,
    routes: [...access.routes, ...outbound.routes, ...(overrides.gateway?.routes ?? [])],
  });
  return {
    gateway,
    access,
    backends,
    revokeAccessKey: (accessKeyId) => access.revokeAccessKey(accessKeyId),
    close: () => access.close(),
  };
}
