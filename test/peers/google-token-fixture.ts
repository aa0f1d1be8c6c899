/**
 * Local stand-ins for Google's token services, checking what they receive
 * with `jose` as Google would: the OAuth token endpoint's JWT-bearer grant
 * (the assertion verified against the service account's public key:
 * issuer, audience = the token URI, scope, expiry), Google STS token
 * exchange (the subject token verified against Sluice's issuer key:
 * issuer, audience, subject) and IAM Credentials `generateAccessToken`
 * (the federated token must be one STS issued). Every access token handed
 * out is added to `issued`, which a GCS fixture can take as its accepted tokens.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { jwtVerify } from 'jose';

export interface GoogleTokenFixtureOptions {
  /** The service account key's public half and its e-mail (JWT-bearer grant). */
  serviceAccount?: { email: string; publicKey: CryptoKey };
  /** Sluice's issuer (STS exchange): its URL, public key, and the audience the provider allows. */
  federation?: { issuer: string; publicKey: CryptoKey; tokenAudience: string; provider: string; serviceAccount: string };
  /** Lifetime of the tokens handed out. Default 3600 s. */
  expiresInSeconds?: number;
}

export interface GoogleTokenFixture {
  endpoint: string;
  issued: Set<string>;
  /** Calls per path, in order. */
  calls: string[];
  /** Subjects of verified STS subject tokens. */
  subjects: string[];
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startGoogleTokenFixture(options: GoogleTokenFixtureOptions): Promise<GoogleTokenFixture> {
  const issued = new Set<string>();
  const federated = new Set<string>();
  const calls: string[] = [];
  const subjects: string[] = [];
  const lifetime = options.expiresInSeconds ?? 3600;
  let endpoint = '';
  const mint = (prefix: string) => {
    const token = `${prefix}-${randomBytes(12).toString('hex')}`;
    issued.add(token);
    return token;
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url!.split('?')[0]!;
    calls.push(path);
    const body = await readBody(req);
    if (path === '/token' && options.serviceAccount) {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(res, 400, { error: 'unsupported_grant_type' });
      try {
        const { payload } = await jwtVerify(form.get('assertion') ?? '', options.serviceAccount.publicKey, {
          issuer: options.serviceAccount.email,
          audience: `${endpoint}/token`,
          algorithms: ['RS256'],
        });
        if (typeof payload.scope !== 'string' || !payload.scope.includes('devstorage')) throw new Error('scope');
      } catch {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      }
      return json(res, 200, { access_token: mint('sa'), expires_in: lifetime, token_type: 'Bearer' });
    }
    if (path === '/v1/token' && options.federation) {
      const form = new URLSearchParams(body);
      const f = options.federation;
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' || form.get('audience') !== f.provider
        || form.get('subject_token_type') !== 'urn:ietf:params:oauth:token-type:jwt' || form.get('requested_token_type') !== 'urn:ietf:params:oauth:token-type:access_token') {
        return json(res, 400, { error: 'invalid_request', error_description: 'bad exchange parameters' });
      }
      try {
        const { payload } = await jwtVerify(form.get('subject_token') ?? '', f.publicKey, { issuer: f.issuer, audience: f.tokenAudience });
        subjects.push(String(payload.sub));
      } catch {
        return json(res, 400, { error: 'invalid_grant', error_description: 'The audience in ID Token does not match the expected audience.' });
      }
      const token = mint('federated');
      federated.add(token);
      return json(res, 200, { access_token: token, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: lifetime });
    }
    const generate = /^\/v1\/projects\/-\/serviceAccounts\/([^/]+):generateAccessToken$/.exec(path);
    if (generate && options.federation) {
      const auth = req.headers.authorization ?? '';
      if (!federated.has(auth.replace(/^Bearer /, ''))) return json(res, 401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } });
      if (decodeURIComponent(generate[1]!) !== options.federation.serviceAccount) {
        return json(res, 403, { error: { code: 403, status: 'PERMISSION_DENIED', message: 'Permission iam.serviceAccounts.getAccessToken denied' } });
      }
      const request = JSON.parse(body) as { scope?: string[]; lifetime?: string };
      if (!request.scope?.some((s) => s.includes('devstorage'))) return json(res, 400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'scope' } });
      return json(res, 200, { accessToken: mint('sa'), expireTime: new Date(Date.now() + lifetime * 1000).toISOString() });
    }
    return json(res, 404, { error: 'not_found' });
  };
  const server = createServer((req, res) => void handle(req, res).catch(() => json(res, 500, { error: 'internal' })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    issued,
    calls,
    subjects,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
