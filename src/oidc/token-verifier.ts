/**
 * Verifying an inbound OIDC identity token against the provider that issued
 * it: signature (asymmetric algorithms only) with the provider's published
 * keys, `iss`, `aud`, and the time claims (`exp` required; `nbf` and `iat`
 * with 60 s of clock skew). Every refusal is an `OidcError` with a stable code.
 */
import { type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JwksCache } from './jwks-cache.ts';
import { OidcError } from './errors.ts';
import type { IdentityProvider } from './provider-config.ts';

export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
export const CLOCK_SKEW_SECONDS = 60;

export interface VerifiedToken {
  provider: IdentityProvider;
  claims: JWTPayload;
  /** The token's audiences (`aud` as a list). */
  audiences: readonly string[];
}

/**
 * The issuer a token claims, read without verifying anything, so that an
 * untrusted issuer is refused before any key is fetched.
 */
export function peekIssuer(token: string): string {
  let claims: JWTPayload;
  try {
    decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch (error) {
    throw new OidcError('token_malformed', 'the token is not a well-formed JWT', `undecodable token: ${describe(error)}`);
  }
  if (typeof claims.iss !== 'string' || claims.iss === '') throw new OidcError('token_malformed', 'the token has no issuer (iss)');
  return claims.iss;
}

/**
 * A provider whose keys are in this process (Sluice's own issuer): verified
 * against them directly, with no discovery or JWKS fetch.
 */
export interface LocalProvider {
  provider: IdentityProvider;
  /** The public keys currently published. */
  keys(): Promise<JSONWebKeySet>;
  /** Whether tokens may omit `exp` (API keys that never expire). */
  expOptional: boolean;
}

export class TokenVerifier {
  private readonly byIssuer: Map<string, IdentityProvider>;
  private readonly local: Map<string, LocalProvider>;

  constructor(
    providers: readonly IdentityProvider[],
    private readonly jwks: JwksCache,
    local: readonly LocalProvider[] = [],
  ) {
    this.byIssuer = new Map(providers.map((provider) => [provider.issuer, provider]));
    this.local = new Map(local.map((entry) => [entry.provider.issuer, entry]));
    for (const entry of local) this.byIssuer.set(entry.provider.issuer, entry.provider);
  }

  /** The configured provider with this exact issuer, or undefined. */
  providerFor(issuer: string): IdentityProvider | undefined {
    return this.byIssuer.get(issuer);
  }

  async verify(token: string, provider: IdentityProvider, now: Date): Promise<VerifiedToken> {
    // Keys in this process serve only the provider they belong to, never another provider naming the same issuer.
    const candidate = this.local.get(provider.issuer);
    const local = candidate && candidate.provider.id === provider.id ? candidate : undefined;
    const getKey: JWTVerifyGetKey = local ? async (header, input) => createLocalJWKSet(await local.keys())(header, input) : async (header, input) => {
      const keys = await this.jwks.keys(provider);
      try {
        return await keys(header, input);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        // The provider may have rotated its keys since we last looked.
        return (await this.jwks.keysAfterUnknownKid(provider, header.kid))(header, input);
      }
    };
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, getKey, {
        issuer: provider.issuer,
        audience: provider.audiences,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: now,
        requiredClaims: local?.expOptional ? [] : ['exp'],
      }));
    } catch (error) {
      throw toOidcError(error, provider);
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (claims.iat !== undefined && claims.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
      throw new OidcError('token_not_yet_valid', 'the token was issued in the future (iat)', `iat ${claims.iat} is after now ${nowSeconds} + ${CLOCK_SKEW_SECONDS} s`);
    }
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    return { provider, claims, audiences };
  }
}

function toOidcError(error: unknown, provider: IdentityProvider): OidcError {
  if (error instanceof OidcError) return error;
  if (error instanceof errors.JWTExpired) return new OidcError('token_expired', 'the token has expired', `exp passed: ${error.message}`);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') {
      return new OidcError('audience_mismatch', 'the token\'s audience is not one this identity provider is configured for', `aud not among ${JSON.stringify(provider.audiences)}: ${error.message}`);
    }
    if (error.claim === 'nbf') return new OidcError('token_not_yet_valid', 'the token is not valid yet (nbf)', error.message);
    if (error.claim === 'iss') return new OidcError('issuer_untrusted', 'the token\'s issuer is not trusted', error.message);
    return new OidcError('token_malformed', `the token's ${error.claim} claim is invalid`, error.message);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new OidcError('bad_signature', 'the token\'s signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new OidcError('bad_signature', 'no signing key of the identity provider matches the token', `no key in the JWKS of ${provider.issuer} matches the token header`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new OidcError('token_malformed', 'the token\'s signing algorithm is not accepted', error.message);
  if (error instanceof errors.JOSEError) return new OidcError('token_malformed', 'the token is not a well-formed JWT', `${error.code}: ${error.message}`);
  return new OidcError('token_malformed', 'the token could not be verified', describe(error));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
