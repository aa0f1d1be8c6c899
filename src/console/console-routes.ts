/**
 * `/.console/`: the web console's files, its run-time settings
 * (`config.json`) and the sign-in code exchange (`oidc/token`), as special
 * routes. Hashed assets are cached for a year, everything else revalidated;
 * every answer carries a Content-Security-Policy that allows only the
 * console's own scripts, styles and connections — no inline script, no other
 * origin — so injected markup cannot run or send data elsewhere.
 */
import { bytesBody, readAll } from '../core/body.ts';
import type { GatewayRequest, GatewayResponse } from '../core/http.ts';
import { jsonResponse, type RouteContext, type SpecialRoute } from '../core/routes.ts';
import { FetchFailure } from '../oidc/bounded-fetch.ts';
import type { ConsoleConfig } from './config-schema.ts';
import type { ConsoleAssets } from './console-assets.ts';
import type { SignInProvider } from './sign-in-provider.ts';

export const CONSOLE_PATH = '/.console/';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Previews of images are object URLs of bytes fetched with a signature.
  "img-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // Share links are presigned URLs: never hand them to another site as a referrer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const MAX_FORM_BYTES = 16 * 1024;
// RFC 7636 §4.1.
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export interface ConsoleRouteOptions {
  console: ConsoleConfig;
  /** The region the console signs requests for (`server.region`). */
  region: string;
  assets: ConsoleAssets;
  /** Present when `console.oidc` is configured. */
  signIn?: SignInProvider;
  /** Whether this server answers the management API (`/.admin/v1/`), which the account pages use. */
  managementApi: boolean;
}

function withSecurity(response: GatewayResponse, cacheControl = REVALIDATE): GatewayResponse {
  return { ...response, headers: { ...response.headers, ...SECURITY_HEADERS, 'cache-control': cacheControl } };
}

function json(status: number, value: unknown): GatewayResponse {
  return withSecurity(jsonResponse(status, value));
}

function methodNotAllowed(allow: string): GatewayResponse {
  return json(405, { error: 'MethodNotAllowed', message: `use ${allow}` });
}

export function consoleRoutes(options: ConsoleRouteOptions): SpecialRoute[] {
  const { assets, signIn } = options;
  const oidc = options.console.oidc;

  async function settings(ctx: RouteContext): Promise<GatewayResponse> {
    const body: Record<string, unknown> = { region: options.region, managementApi: options.managementApi, signIn: null };
    if (oidc && signIn) {
      try {
        const { authorizationEndpoint } = await signIn.endpoints();
        body.signIn = { authorizationEndpoint, clientId: oidc.clientId, scopes: oidc.scopes, role: oidc.role ?? null };
      } catch (error) {
        ctx.log.write({ level: 'warn', event: 'console.sign_in_unavailable', requestId: ctx.requestId, message: error instanceof Error ? error.message : String(error) });
        body.signInError = 'The identity provider cannot be reached; signing in is unavailable for now.';
      }
    }
    return json(200, body);
  }

  async function exchange(req: GatewayRequest, ctx: RouteContext): Promise<GatewayResponse> {
    if (req.method !== 'POST') return methodNotAllowed('POST');
    if (!signIn) return json(404, { error: 'not_found', error_description: 'signing in is not configured' });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded' || !req.body) {
      return json(400, { error: 'invalid_request', error_description: 'send the code as application/x-www-form-urlencoded' });
    }
    let form: URLSearchParams;
    try {
      form = new URLSearchParams(new TextDecoder().decode(await readAll(req.body, MAX_FORM_BYTES)));
    } catch (error) {
      if (error instanceof RangeError) return json(413, { error: 'invalid_request', error_description: 'the form is too large' });
      throw error;
    }
    const code = form.get('code') ?? '';
    const verifier = form.get('code_verifier') ?? '';
    const redirectUri = form.get('redirect_uri') ?? '';
    let redirectPath = '';
    try {
      redirectPath = new URL(redirectUri).pathname;
    } catch {
      // Refused below.
    }
    if (code === '' || code.length > 4096 || !CODE_VERIFIER.test(verifier) || redirectPath !== CONSOLE_PATH) {
      return json(400, { error: 'invalid_request', error_description: 'code, a PKCE code_verifier and the console\'s redirect_uri are required' });
    }
    try {
      const result = await signIn.exchangeCode(code, verifier, redirectUri);
      if (!result.ok) return json(result.status, { error: result.error, error_description: result.description });
      return json(200, { id_token: result.idToken });
    } catch (error) {
      if (!(error instanceof FetchFailure)) throw error;
      ctx.log.write({ level: 'warn', event: 'console.code_exchange_failed', requestId: ctx.requestId, message: error.message });
      return json(502, { error: 'temporarily_unavailable', error_description: 'the identity provider could not be reached' });
    }
  }

  function file(req: GatewayRequest, path: string): GatewayResponse {
    const asset = assets.get(path);
    if (!asset) return json(404, { error: 'NotFound', message: 'no such console file' });
    const response: GatewayResponse = {
      status: 200,
      headers: { 'content-type': asset.contentType, 'content-length': String(asset.body.byteLength) },
      ...(req.method === 'GET' && { body: bytesBody(asset.body) }),
    };
    return withSecurity(response, asset.immutable ? IMMUTABLE : REVALIDATE);
  }

  return [
    {
      op: 'Console',
      path: '/.console',
      handle: async () => withSecurity({ status: 308, headers: { location: CONSOLE_PATH, 'content-length': '0' } }),
    },
    {
      op: 'Console',
      path: CONSOLE_PATH,
      async handle(req, ctx) {
        const path = req.rawPath.slice(CONSOLE_PATH.length);
        if (path === 'oidc/token') return exchange(req, ctx);
        if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
        if (path === 'config.json') return settings(ctx);
        return file(req, path === '' ? 'index.html' : path);
      },
    },
  ];
}
