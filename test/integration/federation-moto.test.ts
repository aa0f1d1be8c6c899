/**
 * Outbound federation end to end against moto's STS and S3: Sluice mints a
 * token, exchanges it with `AssumeRoleWithWebIdentity`, and the session
 * credentials read and write a moto bucket (moto checks their signatures).
 * A fake clock drives refresh ahead of expiry and a cold miss after it;
 * 200 concurrent reads across an expiry see no error and share one renewal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import { bytesBody, readAll } from '../../src/core/body.ts';
import { createFederation } from '../../src/federation/web-identity.ts';
import { createIssuer } from '../../src/oidc/issuer/create-issuer.ts';
import { generateIssuerKey } from '../../src/oidc/issuer/issuer-keys.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { motoUnavailableReason, startMotoServer } from '../peers/moto-peer.ts';
import type { S3Peer } from '../peers/s3-peer.ts';
import { createFederatedRole, signingStsClient, type StsRecordingClient } from '../support/moto-federation.ts';

const skip = motoUnavailableReason();
const ISSUER = 'https://sluice.test';

describe('web-identity federation against moto STS and S3', { skip }, () => {
  let peer: S3Peer;
  const inner = createNodeHttpClient();
  let http: StsRecordingClient;
  let roleArn: string;
  let clock: number;
  const log: Record<string, unknown>[] = [];
  let issuer: Awaited<ReturnType<typeof createIssuer>>;

  before(async () => {
    peer = await startMotoServer({ bucket: 'federated-store', userActions: ['s3:*', 'iam:*', 'sts:*'] });
    roleArn = await createFederatedRole(peer, 'sluice-federated', {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/sluice.test' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'sluice.test:aud': 'sts.amazonaws.com', 'sluice.test:sub': 'sluice:conn:federated' } },
      }],
    });
    http = signingStsClient(inner, peer, peer.endpoint, () => new Date(clock));
    const { pem } = await generateIssuerKey('ES256');
    issuer = await createIssuer({ url: ISSUER, keys: [{ privateKey: pem }], jwksMaxAgeSeconds: 300 }, {
      now: () => new Date(clock),
      randomBytes: (bytes) => crypto.getRandomValues(bytes),
      log: { write: (event) => log.push(event) },
    });
  });

  after(async () => {
    inner.close();
    await peer?.stop();
  });

  function federatedBackend(federation: ReturnType<typeof createFederation>) {
    return new S3Backend({
      endpoint: peer.endpoint,
      region: peer.region,
      bucket: peer.bucket,
      forcePathStyle: true,
      prefix: '',
      http,
      credentials: federation.webIdentity({ connection: 'federated', roleArn, stsEndpoint: peer.endpoint }),
    });
  }

  function newFederation() {
    return createFederation({
      minter: issuer.minter,
      http: () => http,
      now: () => new Date(clock),
      log: { write: (event) => log.push(event) },
    });
  }

  test('the minted credentials write and read the bucket, and the token follows the contract', async () => {
    clock = Date.now();
    http.stsCalls.length = 0;
    const backend = federatedBackend(newFederation());
    await backend.put('hello.txt', bytesBody('federated bytes'), { contentType: 'text/plain', userMetadata: {} } as never);
    const got = await backend.get('hello.txt');
    assert.equal(new TextDecoder().decode(await readAll(got.body)), 'federated bytes');

    assert.equal(http.stsCalls.length, 1, 'one exchange serves both requests');
    const form = http.stsCalls[0]!;
    assert.equal(form.get('Action'), 'AssumeRoleWithWebIdentity');
    assert.equal(form.get('RoleArn'), roleArn);
    assert.equal(form.get('RoleSessionName'), 'sluice-conn-federated');
    const token = form.get('WebIdentityToken')!;
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, issuer.keys && (await issuer.keys.keys()).active.kid);
    const claims = decodeJwt(token);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.sub, 'sluice:conn:federated');
    assert.equal(claims.aud, 'sts.amazonaws.com');
    assert.equal(claims.iat, Math.floor(clock / 1000));
    assert.equal(claims.nbf, claims.iat);
    assert.ok(claims.exp! - claims.iat! <= 300 && claims.exp! > claims.iat!, 'lifetime at most 5 minutes');
    assert.match(String(claims.jti), /^[0-9a-f]{32}$/);
    // The signature checks out against the published key.
    const jwk = (await issuer.keys.keys()).active.publicJwk;
    await jwtVerify(token, await importJWK(jwk, 'ES256'), { issuer: ISSUER, audience: 'sts.amazonaws.com', currentDate: new Date(clock) });
  });

  test('credentials are renewed ahead of expiry in the background, and fetched again after it', async () => {
    clock = Date.now();
    http.stsCalls.length = 0;
    const federation = newFederation();
    const provider = federation.webIdentity({ connection: 'federated', roleArn, stsEndpoint: peer.endpoint, durationSeconds: 900 });
    const first = await provider();
    assert.equal(http.stsCalls.length, 1);
    assert.equal(http.stsCalls[0]!.get('DurationSeconds'), '900');

    // Inside the refresh window: the caller gets the current keys at once, a renewal runs behind it.
    clock += 11 * 60_000;
    assert.deepEqual(await provider(), first);
    await waitFor(() => http.stsCalls.length === 2);
    await waitFor(async () => (await provider()).accessKeyId !== first.accessKeyId);
    const second = await provider();
    assert.notEqual(second.accessKeyId, first.accessKeyId);

    // Past expiry of everything held: a cold fetch, and the new keys work against S3.
    clock += 60 * 60_000;
    const third = await provider();
    assert.equal(http.stsCalls.length, 3);
    assert.notEqual(third.accessKeyId, second.accessKeyId);
    const backend = federatedBackend(federation);
    await backend.put('after-expiry.txt', bytesBody('still here'), { userMetadata: {} } as never);
    assert.equal(new TextDecoder().decode(await readAll((await backend.get('after-expiry.txt')).body)), 'still here');
    assert.equal(http.stsCalls.length, 3, 'the backend shares the cached credentials');
  });

  test('200 concurrent reads across an expiry: no errors, one exchange per expiry', async () => {
    clock = Date.now();
    http.stsCalls.length = 0;
    const federation = newFederation();
    const backend = federatedBackend(federation);
    await backend.put('shared.txt', bytesBody('shared'), { userMetadata: {} } as never);
    assert.equal(http.stsCalls.length, 1);

    const read = async () => new TextDecoder().decode(await readAll((await backend.get('shared.txt')).body));
    // 100 reads inside the refresh window (one renewal starts behind them), then the clock passes the first
    // session's expiry while they are still in flight, and 100 more go out.
    clock += 56 * 60_000;
    const reads = Array.from({ length: 100 }, read);
    await new Promise((resolve) => setImmediate(resolve));
    clock += 10 * 60_000;
    reads.push(...Array.from({ length: 100 }, read));
    const settled = await Promise.allSettled(reads);
    const failures = settled.filter((r) => r.status === 'rejected');
    assert.deepEqual(failures, []);
    assert.ok(settled.every((r) => r.status === 'fulfilled' && r.value === 'shared'));
    assert.equal(http.stsCalls.length, 2, 'one renewal served every read across the expiry');
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
