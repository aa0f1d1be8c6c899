/**
 * Outbound federation to Microsoft Entra ID (workload identity federation):
 * Sluice mints a token for the connection and presents it as the client
 * assertion of a client-credentials grant; Entra answers with an access
 * token for Azure Storage, sent as `Authorization: Bearer`.
 *
 * The assertion follows the same contract as the AWS web-identity token
 * (`web-identity.ts`): `iss` the issuer URL, `sub` `sluice:conn:{connection}`,
 * `aud` the connection's `audience` (default `api://AzureADTokenExchange`,
 * what Entra's federated credentials expect), at most 5 minutes of life,
 * a unique `jti`. An app registration's (or user-assigned managed
 * identity's) federated credential names exactly that issuer, subject and
 * audience.
 *
 * Access tokens are cached per (endpoint, client, subject, audience, scope)
 * and renewed ahead of expiry (`RefreshingCredentials`).
 */
import { RefreshingCredentials } from './refreshing-credentials.ts';
import { AZURE_STORAGE_SCOPE, entraTokenEndpoint, requestEntraToken } from './entra-token-client.ts';
import { connectionSubject, describe, FEDERATION_TOKEN_LIFETIME_SECONDS, type FederationOptions, refreshingOptions } from './web-identity.ts';

export const DEFAULT_ENTRA_AUDIENCE = 'api://AzureADTokenExchange';

export interface EntraFederationRequest {
  /** The connection's name: the assertion's subject is `sluice:conn:{connection}`. */
  connection: string;
  tenantId: string;
  clientId: string;
  /** Default `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token`. */
  tokenEndpoint?: string;
  /** The assertion's `aud`. Default `api://AzureADTokenExchange`. */
  audience?: string;
  /** Default `https://storage.azure.com/.default`. */
  scope?: string;
}

export type AccessTokenProvider = (options?: { signal?: AbortSignal }) => Promise<string>;

export interface EntraFederation {
  accessToken(request: EntraFederationRequest): AccessTokenProvider;
}

export function createEntraFederation(options: FederationOptions): EntraFederation {
  const entries = new Map<string, RefreshingCredentials<string>>();
  return {
    accessToken(request) {
      const subject = connectionSubject(request.connection);
      const audience = request.audience ?? DEFAULT_ENTRA_AUDIENCE;
      const tokenEndpoint = request.tokenEndpoint ?? entraTokenEndpoint(request.tenantId);
      const scope = request.scope ?? AZURE_STORAGE_SCOPE;
      const key = JSON.stringify([tokenEndpoint, request.clientId, subject, audience, scope]);
      const context = { connection: request.connection, tenantId: request.tenantId, clientId: request.clientId };
      let entry = entries.get(key);
      if (!entry) {
        entry = new RefreshingCredentials<string>(
          async () => {
            const minted = await options.minter.mint({ sub: subject, aud: audience, lifetimeSeconds: FEDERATION_TOKEN_LIFETIME_SECONDS });
            const token = await requestEntraToken(options.http(), { tokenEndpoint, clientId: request.clientId, clientAssertion: minted.token, scope }, { now: options.now });
            options.log.write({ event: 'federation.credentials', ...context, jti: minted.jti, kid: minted.kid, expiresAt: token.expiresAt.toISOString() });
            return { value: token.accessToken, expiresAt: token.expiresAt };
          },
          refreshingOptions(options, context),
        );
        entries.set(key, entry);
      }
      const held = entry;
      return async () => {
        try {
          return await held.get();
        } catch (error) {
          options.log.write({ level: 'warn', event: 'federation.credentials_failed', ...context, error: describe(error) });
          throw error;
        }
      };
    },
  };
}

