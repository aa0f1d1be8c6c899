/**
 * A local OIDC issuer for tests: a real loopback HTTP server publishing a
 * discovery document and a JWKS, and signing tokens shaped like GitHub Actions
 * and GitLab CI ID tokens. It can rotate its keys and simulate an outage of
 * its endpoints. It also signs people in for browser tests: an
 * authorization endpoint that approves at once (as `loginSubject`) and a
 * token endpoint that checks the code, client, redirect URI and PKCE (S256)
 * verifier before it hands out an ID token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWK, type JWTPayload, SignJWT, exportJWK, generateKeyPair } from 'jose';

type Algorithm = 'RS256' | 'ES256' | 'EdDSA';

interface SigningKey {
  kid: string;
  alg: Algorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface SignOptions {
  /** Seconds from now; negative for an expired token. Default 300. */
  expiresIn?: number;
  /** Omit `exp` altogether. */
  noExpiry?: boolean;
  /** Seconds from now for `nbf`/`iat` (default 0). */
  notBefore?: number;
  issuedAt?: number;
  /** Sign with this key id (default: the newest key). */
  kid?: string;
  /** Sign with a key that is not published. */
  unpublishedKey?: boolean;
  /** Override the `iss` claim. */
  issuer?: string;
  now?: Date;
}

export class OidcIssuer {
  private keys: SigningKey[] = [];
  private published = new Set<string>();
  private outage = false;
  private keyCounter = 0;
  /** Requests served, by path, for asserting on caching. */
  readonly hits = new Map<string, number>();
  /** Who the authorization endpoint signs in (the ID token's `sub`), and extra claims. */
  loginSubject = 'alice';
  loginClaims: Record<string, unknown> = {};
  /** Codes issued and not yet redeemed. */
  private readonly codes = new Map<string, { clientId: string; redirectUri: string; challenge: string; sub: string; claims: Record<string, unknown> }>();
  /** Token requests refused, with the reason, for assertions. */
  readonly refusals: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(options: { alg?: Algorithm; pathPrefix?: string } = {}): Promise<OidcIssuer> {
    let instance: OidcIssuer | undefined;
    const server = createServer((req, res) => void instance!.route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new OidcIssuer(server, `http://127.0.0.1:${port}${options.pathPrefix ?? ''}`);
    await instance.addKey(options.alg ?? 'RS256');
    return instance;
  }

  get jwksPath(): string {
    return `${new URL(this.issuer).pathname.replace(/\/$/, '')}/jwks`;
  }

  /** Add (and publish) a new signing key, which becomes the default; returns its kid. */
  async addKey(alg: Algorithm = 'RS256', publish = true): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `key-${++this.keyCounter}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    this.keys.push({ kid, alg, privateKey, publicJwk });
    if (publish) this.published.add(kid);
    return kid;
  }

  /** Rotate: publish a new key, sign with it, and (by default) stop publishing the old ones. */
  async rotate(options: { keepOld?: boolean; alg?: Algorithm } = {}): Promise<string> {
    if (!options.keepOld) this.published.clear();
    return this.addKey(options.alg ?? this.keys.at(-1)!.alg);
  }

  /** While true, discovery and JWKS requests answer 503. */
  setOutage(down: boolean): void {
    this.outage = down;
  }

  async sign(claims: JWTPayload, options: SignOptions = {}): Promise<string> {
    const key = options.unpublishedKey
      ? await this.unpublishedKey()
      : (options.kid ? this.keys.find((k) => k.kid === options.kid) : this.keys.at(-1))!;
    const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
    const payload: JWTPayload = {
      iss: options.issuer ?? this.issuer,
      iat: now + (options.issuedAt ?? 0),
      nbf: now + (options.notBefore ?? 0),
      jti: crypto.randomUUID(),
      ...claims,
    };
    if (!options.noExpiry) payload.exp ??= now + (options.expiresIn ?? 300);
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }

  /** Claims as GitHub Actions issues them for a workflow run. */
  static githubClaims(overrides: Partial<Record<string, unknown>> & { repository?: string; ref?: string; aud?: string | string[] } = {}): JWTPayload {
    const repository = overrides.repository ?? 'acme/site';
    const ref = overrides.ref ?? 'refs/heads/main';
    return {
      sub: `repo:${repository}:ref:${ref}`,
      aud: 'sluice',
      ref,
      sha: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2',
      repository,
      repository_owner: repository.split('/')[0],
      repository_owner_id: '1001',
      repository_id: '2002',
      repository_visibility: 'private',
      run_id: '3003',
      run_number: '7',
      run_attempt: '1',
      actor: 'octocat',
      actor_id: '4004',
      workflow: 'deploy',
      workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
      job_workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
      event_name: 'push',
      ref_type: 'branch',
      ref_protected: 'true',
      runner_environment: 'github-hosted',
      ...overrides,
    };
  }

  /** Claims as GitLab CI issues them for a job. */
  static gitlabClaims(overrides: Partial<Record<string, unknown>> & { project_path?: string; ref?: string } = {}): JWTPayload {
    const projectPath = overrides.project_path ?? 'acme/site';
    const ref = overrides.ref ?? 'main';
    return {
      sub: `project_path:${projectPath}:ref_type:branch:ref:${ref}`,
      aud: 'sluice',
      namespace_id: '11',
      namespace_path: projectPath.split('/')[0],
      project_id: '22',
      project_path: projectPath,
      user_id: '33',
      user_login: 'alice',
      pipeline_id: '44',
      pipeline_source: 'push',
      job_id: '55',
      ref,
      ref_type: 'branch',
      ref_path: `refs/heads/${ref}`,
      ref_protected: 'true',
      runner_environment: 'gitlab-hosted',
      ...overrides,
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async unpublishedKey(): Promise<SigningKey> {
    const alg = this.keys.at(-1)!.alg;
    const { privateKey, publicKey } = await generateKeyPair(alg);
    return { kid: this.keys.at(-1)!.kid, alg, privateKey, publicJwk: await exportJWK(publicKey) };
  }

  private async route(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const base = new URL(this.issuer).pathname.replace(/\/$/, '');
    const url = new URL(req.url ?? '/', 'http://issuer');
    if (url.pathname === `${base}/authorize`) return this.authorize(url, res);
    if (url.pathname === `${base}/token` && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return this.token(new URLSearchParams(Buffer.concat(chunks).toString('utf8')), res);
    }
    this.serve(req.url ?? '/', res);
  }

  /** Approves at once: back to the client's redirect URI with a code bound to its PKCE challenge. */
  private authorize(url: URL, res: import('node:http').ServerResponse): void {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    const challenge = q.get('code_challenge') ?? '';
    if (q.get('response_type') !== 'code' || !q.get('client_id') || !redirectUri || q.get('code_challenge_method') !== 'S256' || !challenge || !(q.get('scope') ?? '').split(' ').includes('openid')) {
      return this.send(res, 400, { error: 'invalid_request' });
    }
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { clientId: q.get('client_id')!, redirectUri, challenge, sub: this.loginSubject, claims: { ...this.loginClaims } });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { location: back.toString(), 'content-length': 0 });
    res.end();
  }

  private async token(form: URLSearchParams, res: import('node:http').ServerResponse): Promise<void> {
    const code = form.get('code') ?? '';
    const issued = this.codes.get(code);
    this.codes.delete(code);
    const verifier = form.get('code_verifier') ?? '';
    const refuse = (why: string) => {
      this.refusals.push(why);
      this.send(res, 400, { error: 'invalid_grant', error_description: why });
    };
    if (form.get('grant_type') !== 'authorization_code') return refuse('grant_type must be authorization_code');
    if (!issued) return refuse('unknown or used code');
    if (form.get('client_id') !== issued.clientId) return refuse('client_id does not match');
    if (form.get('redirect_uri') !== issued.redirectUri) return refuse('redirect_uri does not match');
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) return refuse('code_verifier does not match the challenge');
    const idToken = await this.sign({ sub: issued.sub, aud: issued.clientId, ...issued.claims }, { expiresIn: 600 });
    this.send(res, 200, { access_token: 'unused', token_type: 'Bearer', expires_in: 600, id_token: idToken });
  }

  private serve(url: string, res: import('node:http').ServerResponse): void {
    const path = url.split('?')[0]!;
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const base = new URL(this.issuer).pathname.replace(/\/$/, '');
    if (this.outage) return this.send(res, 503, { error: 'unavailable' });
    if (path === `${base}/.well-known/openid-configuration`) {
      return this.send(res, 200, {
        issuer: this.issuer,
        jwks_uri: `${new URL(this.issuer).origin}${this.jwksPath}`,
        authorization_endpoint: `${this.issuer.replace(/\/$/, '')}/authorize`,
        token_endpoint: `${this.issuer.replace(/\/$/, '')}/token`,
        code_challenge_methods_supported: ['S256'],
        response_types_supported: ['id_token', 'code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [...new Set(this.keys.map((k) => k.alg))],
      });
    }
    if (path === this.jwksPath) {
      return this.send(res, 200, { keys: this.keys.filter((k) => this.published.has(k.kid)).map((k) => k.publicJwk) });
    }
    this.send(res, 404, { error: 'not found' });
  }

  private send(res: import('node:http').ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** How many times a path under the issuer was requested. */
  hitCount(path: 'discovery' | 'jwks'): number {
    const base = new URL(this.issuer).pathname.replace(/\/$/, '');
    return this.hits.get(path === 'jwks' ? this.jwksPath : `${base}/.well-known/openid-configuration`) ?? 0;
  }
}
