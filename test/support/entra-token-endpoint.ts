/**
 * A local Microsoft Entra ID token endpoint for federation tests: a real
 * HTTP server on loopback that does what Entra does with a federated
 * credential. `POST /{tenant}/oauth2/v2.0/token` takes a client-credentials
 * grant with a JWT client assertion, verifies the assertion with jose
 * against the issuer's JWKS (fetched over HTTP from this same server at
 * `/jwks`, published from Sluice's issuer keys), checks issuer, subject and
 * audience against the federated credentials it was given, and answers
 * with an access token for Azure Storage shaped as Entra's (issuer
 * `https://sts.windows.net/{tenant}/`, audience `https://storage.azure.com`)
 * — what Azurite's `--oauth basic` accepts. Refusals carry Entra's error
 * JSON (`invalid_client`, AADSTS700213 and alike).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { IssuerKeySource } from '../../src/oidc/issuer/issuer-keys.ts';

export interface FederatedCredential {
  issuer: string;
  subject: string;
  audience: string;
}

export interface TokenExchange {
  tenant: string;
  form: Record<string, string>;
  /** The assertion's claims, as verified. */
  claims?: Record<string, unknown>;
  status: number;
}

export interface EntraTokenEndpoint {
  /** `http://127.0.0.1:PORT`; the token endpoint of tenant T is `${origin}/T/oauth2/v2.0/token`. */
  origin: string;
  tokenEndpoint(tenant: string): string;
  exchanges: TokenExchange[];
  /** Lifetime of the access tokens issued, seconds (tests shorten it). */
  lifetimeSeconds: number;
  /** Answer the next requests with this status and error instead (e.g. 503). */
  failWith?: { status: number; error: string };
  stop(): Promise<void>;
}

export async function startEntraTokenEndpoint(options: {
  keys: IssuerKeySource;
  clientId: string;
  credentials: FederatedCredential[];
  now?: () => Date;
}): Promise<EntraTokenEndpoint> {
  const now = options.now ?? (() => new Date());
  const signing = await generateKeyPair('RS256');
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const endpoint: EntraTokenEndpoint = {
    origin: '',
    tokenEndpoint: (tenant) => `${endpoint.origin}/${tenant}/oauth2/v2.0/token`,
    exchanges: [],
    lifetimeSeconds: 3600,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const refuse = (res: ServerResponse, status: number, error: string, description: string, code: number) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error, error_description: `AADSTS${code}: ${description}`, error_codes: [code] }));
  };

  async function token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    let text = '';
    for await (const chunk of req) {
      text += chunk;
      if (text.length > 64 * 1024) return refuse(res, 400, 'invalid_request', 'request too large', 900144);
    }
    const form = Object.fromEntries(new URLSearchParams(text));
    const exchange: TokenExchange = { tenant, form, status: 0 };
    endpoint.exchanges.push(exchange);
    const answer = (status: number, error: string, description: string, code: number) => {
      exchange.status = status;
      refuse(res, status, error, description, code);
    };
    if (endpoint.failWith) return answer(endpoint.failWith.status, endpoint.failWith.error, 'the service is failing on purpose', 90000);
    if (req.headers['content-type']?.split(';')[0] !== 'application/x-www-form-urlencoded') return answer(400, 'invalid_request', 'form body expected', 900144);
    if (form['grant_type'] !== 'client_credentials') return answer(400, 'unsupported_grant_type', 'client_credentials expected', 70003);
    if (form['client_assertion_type'] !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return answer(400, 'invalid_request', 'bad client_assertion_type', 700021);
    if (form['scope'] !== 'https://storage.azure.com/.default') return answer(400, 'invalid_scope', 'scope not valid', 70011);
    if (form['client_id'] !== options.clientId) return answer(400, 'unauthorized_client', 'application not found in the directory', 700016);
    let claims: Record<string, unknown>;
    try {
      // The issuer's keys, fetched over HTTP as Entra fetches them from the issuer's jwks_uri.
      jwks ??= createRemoteJWKSet(new URL(`${endpoint.origin}/jwks`));
      const verified = await jwtVerify(form['client_assertion'] ?? '', jwks, { currentDate: now(), maxTokenAge: '10m' });
      claims = verified.payload as Record<string, unknown>;
    } catch (error) {
      return answer(401, 'invalid_client', `client assertion failed signature validation: ${(error as Error).message}`, 700027);
    }
    const audiences = Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
    const match = options.credentials.some((c) => c.issuer === claims['iss'] && c.subject === claims['sub'] && audiences.includes(c.audience));
    if (!match) return answer(400, 'invalid_client', 'No matching federated identity record found for presented assertion', 700213);
    exchange.claims = claims;
    exchange.status = 200;
    const iat = Math.floor(now().getTime() / 1000);
    const accessToken = await new SignJWT({ tid: tenant, appid: options.clientId, oid: options.clientId, ver: '1.0' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`https://sts.windows.net/${tenant}/`)
      .setAudience('https://storage.azure.com')
      .setSubject(options.clientId)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + endpoint.lifetimeSeconds)
      .sign(signing.privateKey);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token_type: 'Bearer', expires_in: endpoint.lifetimeSeconds, ext_expires_in: endpoint.lifetimeSeconds, access_token: accessToken }));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    const handle = async () => {
      if (req.method === 'GET' && url.pathname === '/jwks') {
        const { published } = await options.keys.keys();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
      } else if (req.method === 'POST' && tokenPath) {
        await token(req, res, decodeURIComponent(tokenPath[1]!));
      } else {
        res.writeHead(404).end();
      }
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return endpoint;
}

/** The claims of an access token this endpoint issued (for assertions on its shape). */
export function accessTokenClaims(token: string): Record<string, unknown> {
  return decodeJwt(token) as Record<string, unknown>;
}
