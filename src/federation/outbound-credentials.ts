/**
 * What a backend plug-in may ask for when its connection names an outbound
 * `auth` other than keys in the configuration: credentials by web-identity
 * federation (AWS), access tokens by workload identity federation (Entra ID), or keys sealed in the policy store. The app supplies these
 * (`BackendServices.credentials`) when it has an issuer and a store; each
 * answer is a provider the backend calls before every signed request.
 */
import type { AccessTokenProvider, EntraFederationRequest } from './entra-federation.ts';
import type { BearerTokenProvider, GoogleFederationRequest } from './google-federation.ts';
import type { AwsCredentials, WebIdentityRequest } from './web-identity.ts';

export type CredentialProvider = () => Promise<AwsCredentials>;

export interface OutboundCredentialServices {
  /** Absent when the configuration has no `issuer`. */
  webIdentity?(request: WebIdentityRequest): CredentialProvider;
  /** Entra ID access tokens by workload identity federation; absent when the configuration has no `issuer`. */
  entraAccessToken?(request: EntraFederationRequest): AccessTokenProvider;
  /** Absent when there is no policy store to hold sealed keys. */
  stored?(connection: string): CredentialProvider;
  /** Google access tokens by workload identity federation; absent when the configuration has no `issuer`. */
  googleAccessToken?(request: GoogleFederationRequest): BearerTokenProvider;
}
