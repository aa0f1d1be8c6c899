/**
 * GCS authorization end to end against local token endpoints
 * (test/peers/google-token-fixture.ts, which verifies every JWT with jose)
 * and the JSON API fixture, which accepts only tokens those endpoints
 * issued: a service account key, and workload identity federation with no
 * stored secret (Sluice's issuer token → STS → generateAccessToken).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { exportPKCS8, generateKeyPair } from 'jose';
import { startGcsFixture } from '../../../test/peers/gcs-fixture.ts';
import { startGoogleTokenFixture } from '../../../test/peers/google-token-fixture.ts';
import { BackendCredentialsDeniedError } from '../../core/backend-errors.ts';
import { bytesBody, readAll } from '../../core/body.ts';
import { createGoogleFederation } from '../../federation/google-federation.ts';
import { createIssuer } from '../../oidc/issuer/create-issuer.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { GcsBackend } from './gcs-backend.ts';
import { serviceAccountTokens } from './service-account.ts';

const http = createNodeHttpClient({});
const stops: (() => Promise<void>)[] = [];
after(async () => {
  http.close();
  for (const stop of stops) await stop();
});

const PROVIDER = '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/sluice-pool/providers/sluice-oidc';
const SERVICE_ACCOUNT = 'sluice-data@proj.iam.gserviceaccount.com';

async function roundTrip(backend: GcsBackend): Promise<string> {
  await backend.put('k', bytesBody('payload'), { metadata: {} });
  return new TextDecoder().decode(await readAll((await backend.get('k')).body));
}

describe('GCS service account key', () => {
  it('signs an RS256 assertion, exchanges it at token_uri, caches the token and writes with it', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const email = 'writer@proj.iam.gserviceaccount.com';
    const tokens = await startGoogleTokenFixture({ serviceAccount: { email, publicKey } });
    const gcs = await startGcsFixture({ tokens: tokens.issued });
    stops.push(tokens.stop, gcs.stop);
    gcs.createBucket('sa-bucket');
    const key = { client_email: email, private_key: await exportPKCS8(privateKey), private_key_id: 'kid-1', token_uri: `${tokens.endpoint}/token` };
    const backend = new GcsBackend({ bucket: 'sa-bucket', endpoint: gcs.endpoint, http, tokens: serviceAccountTokens(key, { http: () => http, now: () => new Date() }) });
    assert.equal(await roundTrip(backend), 'payload');
    assert.deepEqual(tokens.calls, ['/token'], 'one exchange serves every request');
  });

  it('a key the token endpoint does not trust is refused as denied credentials', async () => {
    const trusted = await generateKeyPair('RS256', { extractable: true });
    const other = await generateKeyPair('RS256', { extractable: true });
    const email = 'writer@proj.iam.gserviceaccount.com';
    const tokens = await startGoogleTokenFixture({ serviceAccount: { email, publicKey: trusted.publicKey } });
    const gcs = await startGcsFixture({ tokens: tokens.issued });
    stops.push(tokens.stop, gcs.stop);
    gcs.createBucket('sa-bucket');
    const key = { client_email: email, private_key: await exportPKCS8(other.privateKey), token_uri: `${tokens.endpoint}/token` };
    const backend = new GcsBackend({ bucket: 'sa-bucket', endpoint: gcs.endpoint, http, tokens: serviceAccountTokens(key, { http: () => http, now: () => new Date() }) });
    await assert.rejects(backend.head('k'), BackendCredentialsDeniedError);
  });
});

describe('GCS workload identity federation', () => {
  async function setUp(serviceAccount: string) {
    const issuerKey = await generateKeyPair('RS256', { extractable: true });
    const issuerUrl = 'https://sluice.example.com';
    const tokens = await startGoogleTokenFixture({
      federation: { issuer: issuerUrl, publicKey: issuerKey.publicKey, tokenAudience: `https:${PROVIDER}`, provider: PROVIDER, serviceAccount: SERVICE_ACCOUNT },
    });
    const gcs = await startGcsFixture({ tokens: tokens.issued });
    stops.push(tokens.stop, gcs.stop);
    gcs.createBucket('fed-bucket');
    const issuer = await createIssuer(
      { url: issuerUrl, keys: [{ privateKey: await exportPKCS8(issuerKey.privateKey) }], jwksMaxAgeSeconds: 300 },
      { now: () => new Date(), randomBytes: (b: Uint8Array) => crypto.getRandomValues(b), log: { write() {} } },
    );
    const federation = createGoogleFederation({ minter: issuer.minter, http: () => http, now: () => new Date(), log: { write() {} } });
    const provider = federation.accessToken({
      connection: 'gcs-data',
      audience: PROVIDER,
      serviceAccount,
      stsEndpoint: `${tokens.endpoint}/v1/token`,
      iamCredentialsEndpoint: tokens.endpoint,
    });
    return { tokens, backend: new GcsBackend({ bucket: 'fed-bucket', endpoint: gcs.endpoint, http, tokens: provider }) };
  }

  it('exchanges Sluice\'s token at STS, then generateAccessToken, and reads and writes with no stored secret', async () => {
    const { tokens, backend } = await setUp(SERVICE_ACCOUNT);
    assert.equal(await roundTrip(backend), 'payload');
    assert.deepEqual(tokens.calls, ['/v1/token', `/v1/projects/-/serviceAccounts/${encodeURIComponent(SERVICE_ACCOUNT)}:generateAccessToken`]);
    assert.deepEqual(tokens.subjects, ['sluice:conn:gcs-data']);
  });

  it('a service account the federated identity may not impersonate is refused as denied credentials', async () => {
    const { backend } = await setUp('someone-else@proj.iam.gserviceaccount.com');
    await assert.rejects(backend.head('k'), BackendCredentialsDeniedError);
  });
});
