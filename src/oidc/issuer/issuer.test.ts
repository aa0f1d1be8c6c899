import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, createLocalJWKSet, jwtVerify, exportPKCS8, generateKeyPair } from 'jose';
import { readAll } from '../../core/body.ts';
import type { GatewayRequest } from '../../core/http.ts';
import type { SpecialRoute } from '../../core/routes.ts';
import { configuredKeySource, createIssuer } from './create-issuer.ts';
import { generateIssuerKey, importIssuerKey, IssuerKeyError } from './issuer-keys.ts';
import { createPolicyApiSigner } from './policy-api-signer.ts';
import { storedIssuerKeySource } from './stored-keys.ts';
import type { StoredIssuerKey } from '../../policy/outbound-store.ts';

const runtime = (now: () => Date) => ({ now, randomBytes: (b: Uint8Array) => crypto.getRandomValues(b), log: { write() {} } });
const request = (path: string, method = 'GET'): GatewayRequest => ({ method, rawPath: path, rawQuery: '', headers: {}, client: {} });

async function call(route: SpecialRoute | undefined, method = 'GET') {
  const ctx = { requestId: 'r', now: () => new Date(), log: { write() {} } };
  const res = await route!.handle(request(route!.path, method), ctx);
  return { res, json: res.body ? JSON.parse(new TextDecoder().decode(await readAll(res.body))) : undefined };
}

describe('issuer keys', () => {
  test('RS256 and ES256 keys import from PKCS#8 and are named by their thumbprint', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const { key, pem } = await generateIssuerKey(alg);
      const again = await importIssuerKey(pem);
      assert.equal(again.alg, alg);
      assert.equal(again.kid, key.kid);
      assert.match(again.kid, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(again.publicJwk.d, undefined, 'no private member is published');
      assert.equal(again.publicJwk.use, 'sig');
    }
  });

  test('refuses other keys with a clear message', async () => {
    await assert.rejects(importIssuerKey('-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----'), IssuerKeyError);
    const small = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'],
    );
    await assert.rejects(importIssuerKey(await exportPKCS8(small.privateKey)), IssuerKeyError);
    const p384 = await generateKeyPair('ES384', { extractable: true });
    await assert.rejects(importIssuerKey(await exportPKCS8(p384.privateKey)), /P-256/);
    const { pem } = await generateIssuerKey('ES256');
    await assert.rejects(importIssuerKey(pem, 'RS256'), /not RS256/);
    await assert.rejects(configuredKeySource({ url: 'https://i', keys: [{ privateKey: pem }, { privateKey: 'nope' }], jwksMaxAgeSeconds: 300 }), /issuer\.keys\[1\]/);
  });
});

describe('discovery and JWKS routes', () => {
  test('publish the issuer, the active and previous keys, cacheable for max-age', async () => {
    const active = await generateIssuerKey('ES256');
    const previous = await generateIssuerKey('RS256');
    const issuer = await createIssuer(
      { url: 'https://sluice.example.com', keys: [{ privateKey: active.pem }, { privateKey: previous.pem }], jwksMaxAgeSeconds: 300 },
      runtime(() => new Date()),
    );
    const discovery = await call(issuer.routes.find((r) => r.path === '/.well-known/openid-configuration'));
    assert.equal(discovery.res.status, 200);
    assert.equal(discovery.res.headers['cache-control'], 'public, max-age=300');
    assert.equal(discovery.json.issuer, 'https://sluice.example.com');
    assert.equal(discovery.json.jwks_uri, 'https://sluice.example.com/.well-known/jwks.json');
    assert.deepEqual(discovery.json.id_token_signing_alg_values_supported, ['ES256', 'RS256']);

    const jwks = await call(issuer.routes.find((r) => r.path === '/.well-known/jwks.json'));
    assert.equal(jwks.res.headers['cache-control'], 'public, max-age=300');
    assert.deepEqual(jwks.json.keys.map((k: { kid: string }) => k.kid), [active.key.kid, previous.key.kid]);
    for (const key of jwks.json.keys) assert.equal(key.d, undefined);

    const post = await call(issuer.routes[1], 'POST');
    assert.equal(post.res.status, 405);
  });

  test('tokens verify against the published set; the minter caps lifetimes and owns the registered claims', async () => {
    const active = await generateIssuerKey('RS256');
    let now = new Date('2030-01-01T00:00:00Z');
    const issuer = await createIssuer({ url: 'https://sluice.example.com', keys: [{ privateKey: active.pem }], jwksMaxAgeSeconds: 300 }, runtime(() => now));
    const minted = await issuer.minter.mint({ sub: 'sluice:conn:c', aud: 'sts.amazonaws.com', lifetimeSeconds: 300 });
    const jwks = await call(issuer.routes.find((r) => r.path === '/.well-known/jwks.json'));
    const { payload, protectedHeader } = await jwtVerify(minted.token, createLocalJWKSet(jwks.json), {
      issuer: 'https://sluice.example.com',
      audience: 'sts.amazonaws.com',
      currentDate: now,
    });
    assert.equal(protectedHeader.kid, active.key.kid);
    assert.equal(payload.exp! - payload.iat!, 300);
    const second = await issuer.minter.mint({ sub: 'sluice:conn:c', aud: 'sts.amazonaws.com', lifetimeSeconds: 300 });
    assert.notEqual(decodeJwt(second.token).jti, payload.jti, 'jti is unique');
    await assert.rejects(issuer.minter.mint({ sub: 's', aud: 'a', lifetimeSeconds: 301 }), RangeError);
    await assert.rejects(issuer.minter.mint({ sub: 's', aud: 'a', lifetimeSeconds: 60, claims: { sub: 'other' } }), /set by the minter/);
    now = new Date(now.getTime() + 301_000);
    await assert.rejects(jwtVerify(minted.token, createLocalJWKSet(jwks.json), { currentDate: now }), /exp/);
  });

  test('keys from the policy store: the active key signs, next and previous are published, reloads pick up a rotation', async () => {
    const a = await generateIssuerKey('ES256');
    const b = await generateIssuerKey('ES256');
    let records: StoredIssuerKey[] = [
      { kid: a.key.kid, alg: 'ES256', status: 'active', createdAt: new Date(0), privateKeyPem: a.pem },
      { kid: b.key.kid, alg: 'ES256', status: 'next', createdAt: new Date(1), privateKeyPem: b.pem },
    ];
    let clock = 0;
    const source = storedIssuerKeySource({ issuerKeys: async () => records }, () => new Date(clock), 60_000);
    let set = await source.keys();
    assert.equal(set.active.kid, a.key.kid);
    assert.deepEqual(set.published.map((k) => k.kid), [a.key.kid, b.key.kid]);
    records = [{ ...records[0]!, status: 'previous' }, { ...records[1]!, status: 'active' }];
    assert.equal((await source.keys()).active.kid, a.key.kid, 'held until the reload interval');
    clock = 60_000;
    set = await source.keys();
    assert.equal(set.active.kid, b.key.kid);
    assert.deepEqual(set.published.map((k) => k.kid), [b.key.kid, a.key.kid]);
    records = [];
    clock = 120_000;
    assert.equal((await source.keys()).active.kid, b.key.kid, 'a failed reload keeps the keys held');
    await assert.rejects(storedIssuerKeySource({ issuerKeys: async () => [] }, () => new Date()).keys(), /no active issuer key/);
  });

  test('an issuer without keys is refused at start-up', async () => {
    await assert.rejects(createIssuer({ url: 'https://i.example', jwksMaxAgeSeconds: 300 }, runtime(() => new Date())), /sluice issuer keys generate/);
  });
});

describe('policy API signer', () => {
  test('mints a bearer token for the account, for the API, living at most 60 s', async () => {
    const { pem } = await generateIssuerKey('ES256');
    const now = new Date('2030-01-01T00:00:00Z');
    const issuer = await createIssuer({ url: 'https://sluice.example.com', keys: [{ privateKey: pem }], jwksMaxAgeSeconds: 300 }, runtime(() => now));
    const signer = createPolicyApiSigner(issuer, runtime(() => now), { audience: 'https://policy.example.com' });
    const header = await signer.authorization('research');
    assert.match(header, /^Bearer /);
    const token = header.slice(7);
    assert.equal(decodeProtectedHeader(token).kid, (await issuer.keys.keys()).active.kid);
    const claims = decodeJwt(token);
    assert.deepEqual([claims.sub, claims.aud, claims.iss, claims.exp! - claims.iat!], ['research', 'https://policy.example.com', 'https://sluice.example.com', 60]);
    assert.throws(() => createPolicyApiSigner(issuer, runtime(() => now), { audience: 'a', lifetimeSeconds: 61 }), RangeError);
  });
});
