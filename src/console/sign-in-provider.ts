/**
 * The console's side of signing in with OpenID Connect: the provider's
 * endpoints from its discovery document (fetched by the server, cached), and
 * the authorization-code exchange relayed to its token endpoint, so the
 * browser only ever talks to Sluice (`connect-src 'self'`) and needs no CORS
 * from the provider. The console is a public client: the relay adds only the
 * client id, and the browser's PKCE verifier proves the code is its own. Only
 * the ID token goes back; it is worth nothing until `/.sts` exchanges it.
 */
import { FetchFailure, type FetchLike, fetchJson, readCapped } from '../oidc/bounded-fetch.ts';
import { discoveryUrl } from '../oidc/provider-config.ts';
import type { ConsoleOidcConfig } from './config-schema.ts';

export interface ProviderEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** What the token endpoint said, in OAuth's terms (RFC 6749 §5.2), or the ID token. */
export type CodeExchange = { ok: true; idToken: string } | { ok: false; status: number; error: string; description: string };

export interface SignInProviderOptions {
  oidc: ConsoleOidcConfig;
  fetch: FetchLike;
  /** The identity provider is marked `local` (plain http allowed). */
  allowHttp: boolean;
  now(): number;
}

const TIMEOUT_MS = 5_000;
const MAX_BYTES = 64 * 1024;
const CACHE_MS = 60 * 60_000;
const RETRY_MS = 30_000;

export interface SignInProvider {
  /** The provider's endpoints, or a `FetchFailure` whose message is for operators. */
  endpoints(): Promise<ProviderEndpoints>;
  exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<CodeExchange>;
}

export function createSignInProvider(options: SignInProviderOptions): SignInProvider {
  const { oidc, allowHttp } = options;
  let cached: { at: number; value?: ProviderEndpoints; failure?: FetchFailure } | undefined;
  let pending: Promise<ProviderEndpoints> | undefined;

  const endpointProblem = (url: unknown): boolean => {
    if (typeof url !== 'string') return true;
    try {
      const parsed = new URL(url);
      return !(parsed.protocol === 'https:' || (allowHttp && parsed.protocol === 'http:'));
    } catch {
      return true;
    }
  };

  async function discover(): Promise<ProviderEndpoints> {
    const url = discoveryUrl(oidc.issuer);
    const document = (await fetchJson(url, { fetch: options.fetch, timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES, allowHttp })) as Record<string, unknown>;
    if (document === null || typeof document !== 'object') throw new FetchFailure(`${url} is not a JSON object`);
    if (document.issuer !== oidc.issuer) throw new FetchFailure(`${url} names another issuer`);
    if (endpointProblem(document.authorization_endpoint) || endpointProblem(document.token_endpoint)) {
      throw new FetchFailure(`${url} has no usable authorization_endpoint and token_endpoint (the authorization-code flow)`);
    }
    return { authorizationEndpoint: document.authorization_endpoint as string, tokenEndpoint: document.token_endpoint as string };
  }

  async function endpoints(): Promise<ProviderEndpoints> {
    const now = options.now();
    if (cached?.value && now - cached.at < CACHE_MS) return cached.value;
    if (cached?.failure && now - cached.at < RETRY_MS) throw cached.failure;
    pending ??= discover()
      .then((value) => ((cached = { at: options.now(), value }), value))
      .catch((error: unknown) => {
        const failure = error instanceof FetchFailure ? error : new FetchFailure(String(error));
        // A provider that was reachable keeps its last endpoints through an outage.
        if (cached?.value) return cached.value;
        cached = { at: options.now(), failure };
        throw failure;
      })
      .finally(() => (pending = undefined));
    return pending;
  }

  async function exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<CodeExchange> {
    const { tokenEndpoint } = await endpoints();
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri, client_id: oidc.clientId });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response: Response;
    let text: string;
    try {
      response = await options.fetch(tokenEndpoint, {
        method: 'POST',
        body: form.toString(),
        signal: controller.signal,
        redirect: 'error',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      });
      text = await readCapped(response, MAX_BYTES, tokenEndpoint);
    } catch (error) {
      if (error instanceof FetchFailure) throw error;
      throw new FetchFailure(`POST ${tokenEndpoint} ${controller.signal.aborted ? `timed out after ${TIMEOUT_MS} ms` : `failed: ${error instanceof Error ? error.message : String(error)}`}`);
    } finally {
      clearTimeout(timer);
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      // Reported below as an unusable answer.
    }
    if (response.ok && typeof body.id_token === 'string' && body.id_token !== '') return { ok: true, idToken: body.id_token };
    if (!response.ok && typeof body.error === 'string') {
      // The provider's own words: it refused this code (expired, reused, wrong verifier).
      return { ok: false, status: 400, error: body.error.slice(0, 100), description: typeof body.error_description === 'string' ? body.error_description.slice(0, 500) : '' };
    }
    throw new FetchFailure(`POST ${tokenEndpoint} answered ${response.status} without an id_token`);
  }

  return { endpoints, exchangeCode };
}
