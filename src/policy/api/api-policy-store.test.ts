/**
 * The policy API store against a local HTTP server implementing the API of
 * docs/policy-api.md, over real HTTP: the server checks every call's JWT
 * (Sluice's issuer, `sub` = the account asked about, `aud` = the API) with
 * jose, or a static bearer. Covers the documents' mapping, memberships,
 * per-lookup caching, and an outage: stale answers up to the bound, then
 * 503 ServiceUnavailable — never an allow.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { readAll } from '../../core/body.ts';
import { S3Error } from '../../core/errors/s3-error.ts';
import { createIssuer } from '../../oidc/issuer/create-issuer.ts';
import { generateIssuerKey } from '../../oidc/issuer/issuer-keys.ts';
import { createPolicyApiSigner } from '../../oidc/issuer/policy-api-signer.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { ApiPolicyStore, type ApiPolicyStoreOptions } from './api-policy-store.ts';

const AUDIENCE = 'https://policy-api.test';
const ISSUER = 'https://sluice.test';

const products: Record<string, unknown[]> = {
  acme: [
    { account: 'acme', name: 'climate', visibility: 'public', dataConnection: { id: 'main', prefix: 'acme/climate/', region: 'eu-west-1' } },
    { account: 'acme', name: 'internal', visibility: 'restricted', readOnly: true, dataConnection: { id: 'main', prefix: 'acme/internal/' } },
  ],
  globex: [{ account: 'globex', name: 'maps', visibility: 'restricted', dataConnection: { id: 'other' } }],
};
const permissions: Record<string, unknown> = { alice: { grants: [{ bucket: 'globex/maps', actions: ['read'], prefixes: ['tiles/'] }] } };
const memberships: Record<string, unknown> = { alice: { memberships: [{ account: 'acme', role: 'maintainer' }] }, bob: { memberships: [{ account: 'acme', role: 'member' }] } };

/** The API, with switches for an outage and a static bearer, and a record of who asked what. */
class PolicyApiServer {
  server!: Server;
  url = '';
  down = false;
  calls: { path: string; sub: string }[] = [];
  private jwks!: ReturnType<typeof createLocalJWKSet>;

  async start(jwks: JSONWebKeySet, staticBearer: string): Promise<void> {
    this.jwks = createLocalJWKSet(jwks);
    this.server = createServer((req, res) => {
      void this.answer(req.url ?? '/', req.headers.authorization ?? '', staticBearer).then(([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  private async answer(url: string, authorization: string, staticBearer: string): Promise<[number, unknown?]> {
    if (this.down) return [503, { error: 'maintenance' }];
    const parts = url.split('/').slice(2).map(decodeURIComponent);
    let sub: string;
    if (authorization === `Bearer ${staticBearer}`) sub = '(static)';
    else {
      try {
        const { payload } = await jwtVerify(authorization.replace(/^Bearer /, ''), this.jwks, { issuer: ISSUER, audience: AUDIENCE, maxTokenAge: 60 });
        sub = String(payload.sub);
        if (payload.exp! - payload.iat! > 60) return [401];
      } catch {
        return [401, { error: 'bad token' }];
      }
      // A token acts for one account: it may ask only about that account.
      if (parts[1] !== sub) return [403];
    }
    this.calls.push({ path: parts.join('/'), sub });
    const [kind, account, what, product] = parts;
    if (kind !== 'accounts' || account === undefined) return [404];
    if (what === 'products' && product !== undefined) {
      const found = (products[account] ?? []).find((p) => (p as { name: string }).name === product);
      return found ? [200, found] : [404];
    }
    if (what === 'products') return products[account] ? [200, { products: products[account] }] : [404];
    if (what === 'permissions') return [200, permissions[account] ?? { grants: [] }];
    if (what === 'memberships') return [200, memberships[account] ?? { memberships: [] }];
    return [404];
  }
}

const api = new PolicyApiServer();
let authorization: (account: string) => Promise<string>;
const http = createNodeHttpClient();

before(async () => {
  const { pem } = await generateIssuerKey('ES256');
  const runtime = { now: () => new Date(), randomBytes: (b: Uint8Array) => crypto.getRandomValues(b), log: { write() {} } };
  const issuer = await createIssuer({ url: ISSUER, keys: [{ privateKey: pem }], jwksMaxAgeSeconds: 300 }, runtime);
  const jwksRoute = issuer.routes.find((r) => r.path === '/.well-known/jwks.json')!;
  const response = await jwksRoute.handle({ method: 'GET', rawPath: jwksRoute.path, rawQuery: '', headers: {}, client: {} }, { requestId: 'r', now: () => new Date(), log: { write() {} } });
  await api.start(JSON.parse(new TextDecoder().decode(await readAll(response.body!))) as JSONWebKeySet, 'static-bearer-token-0123456789');
  const signer = createPolicyApiSigner(issuer, runtime, { audience: AUDIENCE });
  authorization = (account) => signer.authorization(account);
});

after(async () => {
  await new Promise((resolve) => api.server.close(resolve));
  http.close?.();
});

function store(over: Partial<ApiPolicyStoreOptions> = {}) {
  let now = 1_000_000;
  const warnings: string[] = [];
  const made = new ApiPolicyStore({
    url: api.url,
    http: () => http,
    authorization: (account) => authorization(account),
    products: { ttlMs: 60_000, staleMs: 120_000 },
    memberships: { ttlMs: 60_000, staleMs: 120_000 },
    permissions: { ttlMs: 30_000, staleMs: 60_000 },
    now: () => now,
    warn: (message) => void warnings.push(message),
    timeoutMs: 2_000,
    ...over,
  });
  return { store: made, warnings, advance: (ms: number) => (now += ms) };
}

describe('ApiPolicyStore against a local policy API', () => {
  it('maps products with their data connections, and answers null for products the API does not have', async () => {
    const { store: s } = store();
    assert.deepEqual(await s.getProduct('acme', 'climate'), { name: 'climate', account: 'acme', connection: 'main', prefix: 'acme/climate/', public: true, readOnly: false, region: 'eu-west-1' });
    assert.deepEqual(await s.getProduct('acme', 'internal'), { name: 'internal', account: 'acme', connection: 'main', prefix: 'acme/internal/', public: false, readOnly: true });
    assert.equal(await s.getProduct('acme', 'nothing'), null);
    assert.equal(await s.getProduct('nobody', 'climate'), null);
    assert.deepEqual((await s.listProducts('acme')).map((b) => b.name), ['climate', 'internal']);
    assert.deepEqual(await s.listProducts('nobody'), []);
    assert.equal(await s.getBucket('climate'), null, 'path-style buckets are not the API’s');
  });

  it('signs each call as the account it is about, with a JWT the API verifies', async () => {
    const { store: s } = store();
    api.calls.length = 0;
    await s.getProduct('globex', 'maps');
    await s.getGrants('alice');
    assert.deepEqual(api.calls.map((c) => `${c.sub} ${c.path}`).sort(), [
      'acme accounts/acme/products',
      'alice accounts/alice/memberships',
      'alice accounts/alice/permissions',
      'globex accounts/globex/products/maps',
    ]);
  });

  it('grants an account its own permissions and, through memberships, every product of the organisation', async () => {
    const { store: s } = store();
    assert.deepEqual(await s.getGrants('alice'), [
      { bucket: 'globex/maps', actions: ['read'], prefixes: ['tiles/'] },
      { bucket: 'acme/climate', actions: ['read', 'write'] },
      { bucket: 'acme/internal', actions: ['read', 'write'] },
    ]);
    assert.deepEqual(await s.getGrants('bob'), [{ bucket: 'acme/climate', actions: ['read'] }, { bucket: 'acme/internal', actions: ['read'] }]);
    assert.deepEqual(await s.getGrants('nobody'), []);
  });

  it('caches each lookup for its own TTL', async () => {
    const { store: s, advance } = store();
    api.calls.length = 0;
    await s.getGrants('bob');
    await s.getGrants('bob');
    assert.equal(api.calls.length, 3, 'permissions, memberships, acme’s products: once each');
    advance(30_001);
    await s.getGrants('bob');
    assert.deepEqual(api.calls.slice(3).map((c) => c.path), ['accounts/bob/permissions'], 'only the permissions TTL (30 s) had run out');
  });

  it('during an outage answers from stale copies up to the bound, then refuses with 503, never allowing', async (t) => {
    const { store: s, advance, warnings } = store();
    t.after(() => (api.down = false));
    assert.equal((await s.getGrants('bob')).length, 2);
    assert.ok(await s.getProduct('acme', 'climate'));
    api.down = true;
    advance(30_001 + 50_000); // permissions 50 s past their TTL, within the 60 s bound
    assert.equal((await s.getGrants('bob')).length, 2, 'stale grants');
    assert.ok(warnings.some((w) => w.includes('answering from the copy')), warnings.join('\n'));
    advance(11_000); // permissions 61 s past their TTL
    await assert.rejects(s.getGrants('bob'), (error: unknown) => error instanceof S3Error && error.code === 'ServiceUnavailable' && error.status === 503);
    await assert.rejects(s.getProduct('acme', 'never-seen'), (error: unknown) => error instanceof S3Error && error.status === 503, 'no copy at all');
    assert.ok(await s.getProduct('acme', 'climate'), 'products have their own bound (120 s past a 60 s TTL)');
    api.down = false;
    advance(1_001); // past the retry pause
    assert.equal((await s.getGrants('bob')).length, 2, 'back once the API answers');
  });

  it('treats refused credentials and malformed documents as failures, not as "no grants"', async () => {
    const refused = store({ authorization: async () => 'Bearer forged' }).store;
    await assert.rejects(refused.getGrants('alice'), (error: unknown) => error instanceof S3Error && error.status === 503);
    const staticBearer = store({ authorization: async () => 'Bearer static-bearer-token-0123456789' }).store;
    assert.equal((await staticBearer.getGrants('alice')).length, 3, 'a static bearer works too');
    const wrongShape = store({ url: `${api.url}/accounts/acme/products/climate#` }).store;
    await assert.rejects(wrongShape.getGrants('alice'), (error: unknown) => error instanceof S3Error && error.status === 503);
  });
});
