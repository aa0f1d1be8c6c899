/**
 * Workload identity federation to Entra ID against a local token endpoint
 * (a real HTTP server that verifies the assertion with jose against
 * Sluice's JWKS): the request's shape, the assertion's contract, caching
 * and renewal ahead of expiry, and how refusals and outages are typed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { BackendCredentialsDeniedError, BackendUnavailableError } from '../core/backend-errors.ts';
import { createIssuer } from '../oidc/issuer/create-issuer.ts';
import { generateIssuerKey } from '../oidc/issuer/issuer-keys.ts';
import { createNodeHttpClient } from '../runtimes/node/http-client.ts';
import { accessTokenClaims, startEntraTokenEndpoint, type EntraTokenEndpoint } from '../../test/support/entra-token-endpoint.ts';
import { createEntraFederation } from './entra-federation.ts';
import { entraTokenEndpoint } from './entra-token-client.ts';

const ISSUER = 'https://sluice.test';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0f2a4c1e-1111-2222-3333-444455556666';

describe('Entra ID workload identity federation', () => {
  const http = createNodeHttpClient();
  let clock = Date.now();
  const log: Record<string, unknown>[] = [];
  let issuer: Awaited<ReturnType<typeof createIssuer>>;
  let entra: EntraTokenEndpoint;

  before(async () => {
    const { pem } = await generateIssuerKey('ES256');
    issuer = await createIssuer({ url: ISSUER, keys: [{ privateKey: pem }], jwksMaxAgeSeconds: 300 }, {
      now: () => new Date(clock),
      randomBytes: (bytes) => crypto.getRandomValues(bytes),
      log: { write: (event) => log.push(event) },
    });
    entra = await startEntraTokenEndpoint({
      keys: issuer.keys,
      clientId: CLIENT,
      credentials: [{ issuer: ISSUER, subject: 'sluice:conn:lake', audience: 'api://AzureADTokenExchange' }],
      now: () => new Date(clock),
    });
  });
  after(async () => {
    http.close();
    await entra?.stop();
  });

  const federation = () =>
    createEntraFederation({ minter: issuer.minter, http: () => http, now: () => new Date(clock), log: { write: (event) => log.push(event) }, baseBackoffMs: 1, maxBackoffMs: 1 });

  test('the default token endpoint is the tenant’s v2.0 endpoint', () => {
    assert.equal(entraTokenEndpoint(TENANT), `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
  });

  test('the assertion follows the contract and the access token comes back', async () => {
    entra.exchanges.length = 0;
    const provider = federation().accessToken({ connection: 'lake', tenantId: TENANT, clientId: CLIENT, tokenEndpoint: entra.tokenEndpoint(TENANT) });
    const token = await provider();
    assert.equal(accessTokenClaims(token)['aud'], 'https://storage.azure.com');
    const [exchange] = entra.exchanges;
    assert.equal(exchange!.status, 200);
    assert.equal(exchange!.tenant, TENANT);
    assert.deepEqual(Object.keys(exchange!.form).sort(), ['client_assertion', 'client_assertion_type', 'client_id', 'grant_type', 'scope']);
    assert.equal(exchange!.form['grant_type'], 'client_credentials');
    assert.equal(exchange!.form['scope'], 'https://storage.azure.com/.default');
    const claims = exchange!.claims!;
    assert.equal(claims['iss'], ISSUER);
    assert.equal(claims['sub'], 'sluice:conn:lake');
    assert.equal(claims['aud'], 'api://AzureADTokenExchange');
    assert.ok((claims['exp'] as number) - (claims['iat'] as number) <= 300);
    assert.match(String(claims['jti']), /^[0-9a-f]{32}$/);
    assert.equal(decodeProtectedHeader(exchange!.form['client_assertion']!).kid, (await issuer.keys.keys()).active.kid);
    // No log line carries the assertion or the access token.
    const logged = JSON.stringify(log);
    assert.ok(!logged.includes(exchange!.form['client_assertion']!) && !logged.includes(token));
  });

  test('the token is cached, renewed in the background ahead of expiry, and fetched anew once expired', async () => {
    entra.exchanges.length = 0;
    entra.lifetimeSeconds = 3600;
    const provider = federation().accessToken({ connection: 'lake', tenantId: TENANT, clientId: CLIENT, tokenEndpoint: entra.tokenEndpoint(TENANT) });
    const first = await provider();
    assert.equal(await provider(), first);
    assert.equal(entra.exchanges.length, 1);
    // Four minutes before expiry: within the five-minute refresh window.
    clock += (3600 - 240) * 1000;
    assert.equal(await provider(), first, 'callers keep the held token while it renews');
    for (let i = 0; i < 100 && entra.exchanges.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(entra.exchanges.length, 2);
    for (let i = 0; i < 100 && (await provider()) === first; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const renewed = await provider();
    assert.notEqual(renewed, first);
    // Past the renewed token's expiry: a cold miss exchanges again.
    clock += 3600 * 1000;
    const cold = await provider();
    assert.notEqual(cold, renewed);
    assert.equal(entra.exchanges.length, 3);
  });

  test('an assertion no federated credential matches is refused as denied, and not retried at once', async () => {
    entra.exchanges.length = 0;
    const provider = federation().accessToken({ connection: 'other', tenantId: TENANT, clientId: CLIENT, tokenEndpoint: entra.tokenEndpoint(TENANT) });
    const error = await provider().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BackendCredentialsDeniedError);
    assert.equal((error.cause as { error?: string }).error, 'invalid_client');
    assert.deepEqual((error.cause as { codes?: number[] }).codes, [700213]);
    assert.equal(entra.exchanges.at(-1)!.status, 400);
    const wrongAudience = federation().accessToken({ connection: 'lake', tenantId: TENANT, clientId: CLIENT, audience: 'api://Other', tokenEndpoint: entra.tokenEndpoint(TENANT) });
    await assert.rejects(wrongAudience(), BackendCredentialsDeniedError);
    const wrongClient = federation().accessToken({ connection: 'lake', tenantId: TENANT, clientId: 'not-registered', tokenEndpoint: entra.tokenEndpoint(TENANT) });
    await assert.rejects(wrongClient(), BackendCredentialsDeniedError);
  });

  test('an outage of the token endpoint is unavailability (503), and a dead endpoint too', async () => {
    entra.failWith = { status: 503, error: 'temporarily_unavailable' };
    try {
      const provider = federation().accessToken({ connection: 'lake', tenantId: TENANT, clientId: CLIENT, tokenEndpoint: entra.tokenEndpoint(TENANT) });
      await assert.rejects(provider(), BackendUnavailableError);
    } finally {
      delete entra.failWith;
    }
    const dead = federation().accessToken({ connection: 'lake', tenantId: TENANT, clientId: CLIENT, tokenEndpoint: 'http://127.0.0.1:9/t/oauth2/v2.0/token' });
    await assert.rejects(dead(), BackendUnavailableError);
  });
});
