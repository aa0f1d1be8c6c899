/**
 * Outbound federation to Google Cloud: a connection's access token obtained
 * with workload identity federation, presenting a token Sluice mints for
 * itself. Sluice's JWT (`sub` `sluice:conn:{connection}`, `aud` the
 * provider's allowed audience) is exchanged at Google STS for a federated
 * token; with a service account named, that token then calls IAM
 * Credentials `generateAccessToken` for the service account's own token
 * (without one, the federated token is used directly, for buckets that
 * grant the workload identity pool's principal).
 *
 * Tokens are cached per (connection subject, provider, service account,
 * endpoints) and renewed ahead of expiry (`RefreshingCredentials`).
 */
import {
  CLOUD_PLATFORM_SCOPE,
  exchangeExternalToken,
  generateAccessToken,
  GOOGLE_IAM_CREDENTIALS_ENDPOINT,
  GOOGLE_STS_ENDPOINT,
  STORAGE_SCOPE,
} from './google-token-client.ts';
import { RefreshingCredentials } from './refreshing-credentials.ts';
import { connectionSubject, describe, FEDERATION_TOKEN_LIFETIME_SECONDS, type FederationOptions, refreshingOptions } from './web-identity.ts';

/** A bearer token source; the backend asks before every request and reports a refused token. */
export interface BearerTokenProvider {
  token(options?: { signal?: AbortSignal }): Promise<string>;
  invalidate(): void;
}

export interface GoogleFederationRequest {
  /** The connection's name: the token's subject is `sluice:conn:{connection}`. */
  connection: string;
  /** The workload identity provider: `//iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`. */
  audience: string;
  /** The minted token's `aud`; default `https:` + `audience`, the provider's default allowed audience. */
  tokenAudience?: string;
  /** Impersonated with `generateAccessToken`; absent: the federated token is used directly. */
  serviceAccount?: string;
  /** Default `https://sts.googleapis.com/v1/token`. */
  stsEndpoint?: string;
  /** Default `https://iamcredentials.googleapis.com`. */
  iamCredentialsEndpoint?: string;
  /** Lifetime asked of `generateAccessToken` (up to 3600 s without an org policy raising it). Default 3600. */
  tokenLifetimeSeconds?: number;
}

export interface GoogleFederation {
  accessToken(request: GoogleFederationRequest): BearerTokenProvider;
}

export function createGoogleFederation(options: FederationOptions): GoogleFederation {
  const entries = new Map<string, RefreshingCredentials<string>>();
  return {
    accessToken(request) {
      const subject = connectionSubject(request.connection);
      const stsEndpoint = request.stsEndpoint ?? GOOGLE_STS_ENDPOINT;
      const iamEndpoint = request.iamCredentialsEndpoint ?? GOOGLE_IAM_CREDENTIALS_ENDPOINT;
      const tokenAudience = request.tokenAudience ?? `https:${request.audience}`;
      const key = JSON.stringify([subject, request.audience, tokenAudience, request.serviceAccount ?? '-', stsEndpoint, iamEndpoint]);
      const context = { connection: request.connection, audience: request.audience, ...(request.serviceAccount && { serviceAccount: request.serviceAccount }) };
      let entry = entries.get(key);
      if (!entry) {
        entry = new RefreshingCredentials<string>(
          async () => {
            const minted = await options.minter.mint({ sub: subject, aud: tokenAudience, lifetimeSeconds: FEDERATION_TOKEN_LIFETIME_SECONDS });
            const http = options.http();
            const federated = await exchangeExternalToken(
              http,
              { endpoint: stsEndpoint, audience: request.audience, subjectToken: minted.token, scope: request.serviceAccount ? CLOUD_PLATFORM_SCOPE : STORAGE_SCOPE },
              options.now(),
            );
            const final = request.serviceAccount
              ? await generateAccessToken(http, {
                  endpoint: iamEndpoint,
                  serviceAccount: request.serviceAccount,
                  federatedToken: federated.token,
                  scope: STORAGE_SCOPE,
                  lifetimeSeconds: request.tokenLifetimeSeconds ?? 3600,
                })
              : federated;
            options.log.write({ event: 'federation.credentials', ...context, jti: minted.jti, kid: minted.kid, expiresAt: final.expiresAt.toISOString() });
            return { value: final.token, expiresAt: final.expiresAt };
          },
          refreshingOptions(options, context),
        );
        entries.set(key, entry);
      }
      const held = entry;
      return {
        token: async () => {
          try {
            return await held.get();
          } catch (error) {
            options.log.write({ level: 'warn', event: 'federation.credentials_failed', ...context, error: describe(error) });
            throw error;
          }
        },
        invalidate: () => held.invalidate(),
      };
    },
  };
}

