/**
 * Checking an identity provider before it is trusted: its discovery document
 * is fetched and must name exactly the issuer it was fetched for (OpenID
 * Connect Discovery 1.0, section 4.3) and a `jwks_uri` (https unless the
 * provider is marked local), and that JWK set must hold at least one key of
 * an asymmetric type. The same bounded fetch as the JWKS cache: a time
 * limit, a size cap, no redirects. Every problem found is returned; an
 * empty list means the provider answered as an OIDC issuer should.
 */
import { type FetchLike, FetchFailure, fetchJson } from './bounded-fetch.ts';
import { type IdentityProvider, discoveryUrl } from './provider-config.ts';

export interface DiscoveryCheckOptions {
  fetch: FetchLike;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Key types the JWKS cache accepts; shared-secret keys never verify provider tokens. */
const ASYMMETRIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

export async function discoveryProblems(provider: Pick<IdentityProvider, 'issuer' | 'local'>, options: DiscoveryCheckOptions): Promise<string[]> {
  const fetchOptions = { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 5000, maxBytes: options.maxBytes ?? 256 * 1024, allowHttp: provider.local };
  let discovery: unknown;
  try {
    discovery = await fetchJson(discoveryUrl(provider.issuer), fetchOptions);
  } catch (error) {
    return [`the discovery document could not be fetched: ${reason(error)}`];
  }
  if (!isRecord(discovery)) return ['the discovery document is not a JSON object'];
  const problems: string[] = [];
  if (discovery.issuer !== provider.issuer) {
    problems.push(`the discovery document names the issuer ${JSON.stringify(discovery.issuer ?? null)}, not this URL`);
  }
  const jwksUri = discovery.jwks_uri;
  if (typeof jwksUri !== 'string' || jwksUri === '') return [...problems, 'the discovery document has no jwks_uri'];
  let url: URL;
  try {
    url = new URL(jwksUri);
  } catch {
    return [...problems, 'the discovery document\'s jwks_uri is not an absolute URL'];
  }
  if (url.protocol !== 'https:' && !(provider.local && url.protocol === 'http:')) {
    return [...problems, 'the discovery document\'s jwks_uri must be an https URL'];
  }
  if (problems.length > 0) return problems;
  let jwks: unknown;
  try {
    jwks = await fetchJson(jwksUri, fetchOptions);
  } catch (error) {
    return [`the JWK set could not be fetched: ${reason(error)}`];
  }
  if (!isRecord(jwks) || !Array.isArray(jwks.keys)) return ['the jwks_uri does not serve a JWK set'];
  if (!jwks.keys.some((key) => isRecord(key) && ASYMMETRIC_KEY_TYPES.has(String(key.kty)))) {
    return ['the JWK set has no RSA, EC or OKP key to verify tokens with'];
  }
  return [];
}

function reason(error: unknown): string {
  return error instanceof FetchFailure || error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
