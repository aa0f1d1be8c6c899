/**
 * Sluice's outbound identity: the OIDC issuer (its discovery routes and
 * minter) when the configuration has one, and the credential services
 * backends draw on — web-identity federation (AWS) and workload identity
 * federation (Entra ID) through the issuer, and keys
 * sealed in the policy store.
 */
import type { SluiceConfig } from '../core/config.ts';
import type { SpecialRoute } from '../core/routes.ts';
import type { OutboundCredentialServices } from '../federation/outbound-credentials.ts';
import { storedCredentialProvider } from '../federation/stored-credentials.ts';
import { createGoogleFederation } from '../federation/google-federation.ts';
import { createEntraFederation } from '../federation/entra-federation.ts';
import { createFederation } from '../federation/web-identity.ts';
import { type Issuer, createIssuer } from '../oidc/issuer/create-issuer.ts';
import { storedIssuerKeySource } from '../oidc/issuer/stored-keys.ts';
import type { WritablePolicyStore } from '../policy/store.ts';
import type { AppServices } from './services.ts';
import type { CacheMetrics } from '../core/metrics/gateway-metrics.ts';

export interface Outbound {
  issuer?: Issuer;
  routes: SpecialRoute[];
  credentials: OutboundCredentialServices;
}

export async function createOutbound(config: SluiceConfig, services: AppServices, managed: WritablePolicyStore | undefined, cacheMetrics?: CacheMetrics): Promise<Outbound> {
  const { runtime } = services;
  const onLookup = cacheMetrics && ((outcome: 'hit' | 'miss') => cacheMetrics.record('federation_credentials', outcome));
  const stored = managed?.outbound;
  const issuer = config.issuer === undefined
    ? undefined
    : await createIssuer(config.issuer, runtime, stored ? storedIssuerKeySource(stored, () => runtime.now()) : undefined);
  const federationOptions = issuer && {
    minter: issuer.minter,
    http: () => services.httpClient(),
    now: () => runtime.now(),
    log: runtime.log,
    ...(onLookup !== undefined && { onLookup }),
  };
  const federation = federationOptions && createFederation(federationOptions);
  const entra = federationOptions && createEntraFederation(federationOptions);
  const google = federationOptions && createGoogleFederation(federationOptions);
  return {
    ...(issuer !== undefined && { issuer }),
    routes: issuer?.routes ?? [],
    credentials: {
      ...(federation !== undefined && { webIdentity: (request) => federation.webIdentity(request) }),
      ...(google !== undefined && { googleAccessToken: (request) => google.accessToken(request) }),
      ...(entra !== undefined && { entraAccessToken: (request) => entra.accessToken(request) }),
      ...(stored !== undefined && { stored: (connection) => storedCredentialProvider(stored, connection, () => runtime.now(), undefined, onLookup) }),
    },
  };
}
