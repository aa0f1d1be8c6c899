/**
 * An Azure connection with no stored secret: `auth: federated` through the
 * plug-in, Sluice's token exchanged at a local Entra token endpoint, and the
 * bearer token used against Azurite over HTTPS with `--oauth basic` (a
 * self-signed certificate trusted by this client only). Every data-plane
 * request is checked to carry the bearer token and a service version that
 * accepts it; Azurite is shown to refuse a token it should not accept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAzurite, type AzuritePeer } from '../../../test/peers/azurite-peer.ts';
import { startEntraTokenEndpoint, type EntraTokenEndpoint } from '../../../test/support/entra-token-endpoint.ts';
import { hasMultipart } from '../../core/backend-capabilities.ts';
import { BackendCredentialsDeniedError } from '../../core/backend-errors.ts';
import { bytesBody, readAll } from '../../core/body.ts';
import type { HttpClient, OutboundRequest } from '../../core/http.ts';
import { createEntraFederation } from '../../federation/entra-federation.ts';
import { createIssuer } from '../../oidc/issuer/create-issuer.ts';
import { generateIssuerKey } from '../../oidc/issuer/issuer-keys.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { AzureBackend } from './azure-backend.ts';
import { azureBackendPlugin, azureConnectionSchema } from './plugin.ts';
import { AZURE_API_VERSION } from './transport.ts';

const ISSUER = 'https://sluice.test';
const TENANT = 'b7d9a3c2-0000-4000-8000-000000000001';
const CLIENT = '5a1e2f3d-0000-4000-8000-000000000002';

describe('Azure with Entra ID workload identity federation, on Azurite over HTTPS', () => {
  let azurite: AzuritePeer;
  let entra: EntraTokenEndpoint;
  let issuer: Awaited<ReturnType<typeof createIssuer>>;
  let http: ReturnType<typeof createNodeHttpClient>;
  const sent: OutboundRequest[] = [];
  let recording: HttpClient;

  before(async () => {
    azurite = await startAzurite({ oauth: true });
    await azurite.createContainer('federated');
    const { pem } = await generateIssuerKey('ES256');
    issuer = await createIssuer({ url: ISSUER, keys: [{ privateKey: pem }], jwksMaxAgeSeconds: 300 }, {
      now: () => new Date(),
      randomBytes: (bytes) => crypto.getRandomValues(bytes),
      log: { write: () => {} },
    });
    entra = await startEntraTokenEndpoint({
      keys: issuer.keys,
      clientId: CLIENT,
      credentials: [{ issuer: ISSUER, subject: 'sluice:conn:lake', audience: 'api://AzureADTokenExchange' }],
    });
    http = createNodeHttpClient({ ca: azurite.certificate! });
    recording = { request: (req) => (sent.push(req), http.request(req)) };
  });
  after(async () => {
    http?.close();
    await entra?.stop();
    await azurite?.stop();
  });

  function connection(name: string) {
    const settings = azureConnectionSchema.parse({
      type: 'azure',
      account: azurite.account,
      container: 'federated',
      endpoint: azurite.endpoint,
      auth: { type: 'federated', tenantId: TENANT, clientId: CLIENT, tokenEndpoint: entra.tokenEndpoint(TENANT) },
    });
    const federation = createEntraFederation({ minter: issuer.minter, http: () => http, now: () => new Date(), log: { write: () => {} } });
    return azureBackendPlugin.create({ ...settings, name }, {
      httpClient: () => recording,
      now: () => new Date(),
      log: { write: () => {} },
      credentials: { entraAccessToken: (request) => federation.accessToken(request) },
    }) as AzureBackend;
  }

  test('a federated connection without the issuer section is refused at start-up', () => {
    const settings = azureConnectionSchema.parse({ type: 'azure', account: 'acct', container: 'box', auth: { type: 'federated', tenantId: TENANT, clientId: CLIENT } });
    assert.equal(settings.auth.type === 'federated' && settings.auth.audience, 'api://AzureADTokenExchange');
    assert.throws(() => azureBackendPlugin.create({ ...settings, name: 'x' }, { httpClient: () => recording, now: () => new Date(), log: { write: () => {} } }), /needs the issuer section/);
  });

  test('writes, reads, lists and completes a multipart upload with the bearer token', async () => {
    sent.length = 0;
    entra.exchanges.length = 0;
    const backend = connection('lake');
    assert.ok(backend.writable);
    await backend.put('dir/a.txt', bytesBody('federated bytes'), { metadata: { who: 'entra' }, contentType: 'text/plain' });
    const got = await backend.get('dir/a.txt');
    assert.equal(new TextDecoder().decode(await readAll(got.body)), 'federated bytes');
    assert.deepEqual(got.info.metadata, { who: 'entra' });
    assert.deepEqual((await backend.list({ prefix: 'dir/', maxKeys: 10 })).objects.map((o) => o.key), ['dir/a.txt']);
    assert.ok(hasMultipart(backend));
    const { uploadId } = await backend.multipart.create('dir/mp', { metadata: {} });
    const part = await backend.multipart.uploadPart('dir/mp', uploadId, 1, bytesBody('one part'));
    await backend.multipart.complete('dir/mp', uploadId, [{ partNumber: 1, etag: part.etag }]);
    assert.match((await backend.head('dir/mp')).etag, /-1"$/);
    // One exchange served every request.
    assert.equal(entra.exchanges.length, 1);
    assert.ok(sent.length >= 8);
    for (const request of sent) {
      assert.match(request.headers['authorization'] ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      assert.ok((request.headers['x-ms-version'] ?? '') >= '2017-11-09');
      assert.equal(request.headers['x-ms-version'], AZURE_API_VERSION);
      assert.ok(!request.url.includes('sig='), 'no SAS on a bearer request');
    }
  });

  test('Azurite checks the token: one for another audience is refused', async () => {
    const forged = await (async () => {
      const { SignJWT, generateKeyPair } = await import('jose');
      const { privateKey } = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(`https://sts.windows.net/${TENANT}/`).setAudience('https://vault.azure.net')
        .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600).sign(privateKey);
    })();
    const backend = new AzureBackend({
      account: azurite.account, container: 'federated', endpoint: azurite.endpoint, http,
      auth: { kind: 'bearer', provider: { token: async () => forged } }, retry: { attempts: 1 },
    });
    const error = await backend.head('dir/a.txt').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BackendCredentialsDeniedError, String(error));
    assert.deepEqual([(error.cause as { status?: number }).status, (error.cause as { code?: string }).code], [403, 'AuthenticationFailed']);
  });

  test('a connection whose subject no federated credential names cannot reach the container', async () => {
    const backend = connection('not-trusted');
    await assert.rejects(backend.head('dir/a.txt'), BackendCredentialsDeniedError);
  });
});
