/**
 * The issuer's public face as special routes: the OpenID Provider
 * configuration (`/.well-known/openid-configuration`) and the key set
 * (`/.well-known/jwks.json`) relying parties such as AWS IAM fetch to check
 * Sluice's tokens. Both are cacheable for `maxAgeSeconds` (300 by default),
 * short enough that relying parties pick up a rotation's next key before it
 * signs. The issuer URL has no path: the documents live at the host's root,
 * where `{issuer}/.well-known/openid-configuration` points.
 */
import type { GatewayRequest } from '../../core/http.ts';
import { type SpecialRoute, jsonResponse } from '../../core/routes.ts';
import type { IssuerKeySource } from './issuer-keys.ts';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks.json';

export interface DiscoveryRouteOptions {
  /** The issuer URL, exactly as tokens carry it in `iss` (no trailing slash). */
  issuer: string;
  keys: IssuerKeySource;
  maxAgeSeconds: number;
}

/** The issuer URL without a trailing slash: `iss` must equal the discovery document's `issuer` byte for byte. */
export function normalizeIssuerUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

export function discoveryDocument(issuer: string, algorithms: readonly string[]): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    // Sluice issues tokens to itself (no authorization endpoint); these members are required by the spec's schema.
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(algorithms)],
    claims_supported: ['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti'],
  };
}

export function issuerRoutes(options: DiscoveryRouteOptions): SpecialRoute[] {
  const issuer = normalizeIssuerUrl(options.issuer);
  const cache = { 'cache-control': `public, max-age=${options.maxAgeSeconds}` };
  const onlyGet = (req: GatewayRequest) =>
    req.method === 'GET' || req.method === 'HEAD' ? undefined : jsonResponse(405, { error: 'MethodNotAllowed' }, { allow: 'GET, HEAD' });
  const unavailable = () => jsonResponse(503, { error: 'ServiceUnavailable' }, { 'retry-after': '5' });
  return [
    {
      op: 'OidcDiscovery',
      path: DISCOVERY_PATH,
      async handle(req, ctx) {
        const refused = onlyGet(req);
        if (refused) return refused;
        try {
          const { published } = await options.keys.keys();
          return jsonResponse(200, discoveryDocument(issuer, published.map((key) => key.alg)), cache);
        } catch (error) {
          ctx.log.write({ event: 'issuer_keys_unavailable', error: error instanceof Error ? error.message : String(error) });
          return unavailable();
        }
      },
    },
    {
      op: 'OidcJwks',
      path: JWKS_PATH,
      async handle(req, ctx) {
        const refused = onlyGet(req);
        if (refused) return refused;
        try {
          const { published } = await options.keys.keys();
          return jsonResponse(200, { keys: published.map((key) => key.publicJwk) }, cache);
        } catch (error) {
          ctx.log.write({ event: 'issuer_keys_unavailable', error: error instanceof Error ? error.message : String(error) });
          return unavailable();
        }
      },
    },
  ];
}
