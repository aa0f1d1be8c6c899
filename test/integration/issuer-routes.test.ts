/**
 * Sluice's issuer over HTTP: the Node server publishes its discovery
 * document and keys, and a separate verifying server — a stand-in for a
 * remote policy API — checks the tokens Sluice signs for an account with
 * jose's `createRemoteJWKSet` pointed at those routes.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { generateIssuerKey } from '../../src/oidc/issuer/issuer-keys.ts';
import { createIssuer } from '../../src/oidc/issuer/create-issuer.ts';
import { createPolicyApiSigner } from '../../src/oidc/issuer/policy-api-signer.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';

const POLICY_API = 'https://policy.example.test';

describe('issuer routes and the policy API signer', () => {
  let sluice: RunningServer;
  let api: Server;
  let apiUrl: string;
  let activePem: string;
  let previousKid: string;

  before(async () => {
    const active = await generateIssuerKey('RS256');
    const previous = await generateIssuerKey('ES256');
    activePem = active.pem;
    previousKid = previous.key.kid;
    // The server learns its own port only once listening; the issuer URL names a fixed loopback port instead.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const config = testConfig({ buckets: [bucket('b')], server: { listen: `127.0.0.1:${port}` } });
    config.issuer = { url: `http://127.0.0.1:${port}`, keys: [{ privateKey: active.pem }, { privateKey: previous.pem }], jwksMaxAgeSeconds: 300 };
    sluice = await startServer(config, { log: { write() {} } });

    const jwks = createRemoteJWKSet(new URL(`${sluice.url}/.well-known/jwks.json`));
    api = createServer(async (req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      try {
        if (!token) throw new Error('no token');
        const { payload } = await jwtVerify(token, jwks, { issuer: config.issuer!.url, audience: POLICY_API, maxTokenAge: 60 });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ account: payload.sub }));
      } catch (error) {
        res.writeHead(401).end(String(error));
      }
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/decide`;
  });

  after(async () => {
    await new Promise((resolve) => api?.close(resolve));
    await sluice?.close();
  });

  test('discovery points at the key set, which holds the active and previous keys, cacheable', async () => {
    const res = await fetch(`${sluice.url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
    const doc = (await res.json()) as { issuer: string; jwks_uri: string };
    assert.equal(doc.issuer, sluice.url);
    const keys = (await (await fetch(doc.jwks_uri)).json()) as { keys: { kid: string; d?: string }[] };
    assert.equal(keys.keys.length, 2);
    assert.equal(keys.keys[1]!.kid, previousKid);
    assert.ok(keys.keys.every((key) => key.d === undefined));
  });

  test('the remote API accepts the account token and refuses others', async () => {
    const issuer = await createIssuer({ url: sluice.url, keys: [{ privateKey: activePem }], jwksMaxAgeSeconds: 300 }, {
      now: () => new Date(),
      randomBytes: (b) => crypto.getRandomValues(b),
      log: { write() {} },
    });
    const signer = createPolicyApiSigner(issuer, { now: () => new Date(), randomBytes: (b) => crypto.getRandomValues(b) }, { audience: POLICY_API });
    const accepted = await fetch(apiUrl, { headers: { authorization: await signer.authorization('research') } });
    assert.equal(accepted.status, 200);
    assert.deepEqual(await accepted.json(), { account: 'research' });

    const otherAudience = createPolicyApiSigner(issuer, { now: () => new Date(), randomBytes: (b) => crypto.getRandomValues(b) }, { audience: 'https://elsewhere' });
    assert.equal((await fetch(apiUrl, { headers: { authorization: await otherAudience.authorization('research') } })).status, 401);

    const stale = createPolicyApiSigner(issuer, { now: () => new Date(Date.now() - 120_000), randomBytes: (b) => crypto.getRandomValues(b) }, { audience: POLICY_API });
    assert.equal((await fetch(apiUrl, { headers: { authorization: await stale.authorization('research') } })).status, 401);

    const foreign = await generateIssuerKey('RS256');
    const impostor = await createIssuer({ url: sluice.url, keys: [{ privateKey: foreign.pem }], jwksMaxAgeSeconds: 300 }, {
      now: () => new Date(), randomBytes: (b) => crypto.getRandomValues(b), log: { write() {} },
    });
    const forged = createPolicyApiSigner(impostor, { now: () => new Date(), randomBytes: (b) => crypto.getRandomValues(b) }, { audience: POLICY_API });
    assert.equal((await fetch(apiUrl, { headers: { authorization: await forged.authorization('research') } })).status, 401);
  });
});
