/**
 * `examples/federation.yaml` as a user runs it: moto stands in for AWS STS
 * and S3, the environment supplies the endpoints, role, bucket, issuer key
 * and demo secret, `sluice serve` runs the example, and the AWS SDK writes
 * and reads through it. The connection holds no secret: every backend
 * request is signed with credentials from AssumeRoleWithWebIdentity.
 *
 * Real STS takes AssumeRoleWithWebIdentity unsigned; moto, once it checks
 * signatures, wants every call signed, so this peer runs without checks
 * (test/integration/federation-moto.test.ts covers the signed path).
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { GetObjectCommand, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { generateIssuerKey } from '../../src/oidc/issuer/issuer-keys.ts';
import { motoUnavailableReason, startMotoServer } from '../peers/moto-peer.ts';
import { signedClient } from '../support/s3-client.ts';
import { assertBuildIsCurrent, spawnCli } from './run-cli.ts';

const skip = motoUnavailableReason();
const SECRET = 'demo-secret-0123456789abcdefghijkl';

async function serve(t: TestContext, env: Record<string, string>): Promise<{ url: string; stdout: () => string }> {
  const child = spawnCli(['serve', '--config', 'examples/federation.yaml', '--listen', '127.0.0.1:0'], env);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as { msg?: string; url?: string };
        if (event.msg === 'listening' && event.url) resolve(event.url);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
  return { url, stdout: () => stdout };
}

describe('examples/federation.yaml', { skip }, () => {
  test('serves the federated bucket through credentials from AssumeRoleWithWebIdentity', async (t) => {
    assertBuildIsCurrent();
    const peer = await startMotoServer({ bucket: 'fed-store', verifySignatures: false });
    t.after(() => peer.stop());
    const { pem } = await generateIssuerKey('ES256');
    const server = await serve(t, {
      SLUICE_ISSUER_KEY: pem,
      SLUICE_FED_S3_ENDPOINT: peer.endpoint,
      SLUICE_FED_STS_ENDPOINT: peer.endpoint,
      SLUICE_FED_ROLE_ARN: 'arn:aws:iam::123456789012:role/sluice-federated',
      SLUICE_FED_BUCKET: 'fed-store',
      SLUICE_DEMO_SECRET: SECRET,
    });
    const s3 = signedClient(server.url, { accessKeyId: 'SLAKDEMOKEYAAAAAAAAA', secretAccessKey: SECRET });
    t.after(() => s3.destroy());

    await s3.send(new PutObjectCommand({ Bucket: 'federated', Key: 'notes/hello.txt', Body: 'through federation' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'federated', Key: 'notes/hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'through federation');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'federated' }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['notes/hello.txt']);

    // The object is in moto's bucket, written with session credentials moto issued.
    const moto = signedClient(peer.endpoint, peer.credentials);
    t.after(() => moto.destroy());
    const direct = await moto.send(new GetObjectCommand({ Bucket: 'fed-store', Key: 'notes/hello.txt' }));
    assert.equal(await direct.Body!.transformToString(), 'through federation');
    const events = server.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const exchanges = events.filter((e) => e.event === 'federation.credentials');
    assert.equal(exchanges.length, 1, 'one exchange served every request');
    assert.equal(exchanges[0]!.connection, 'federated');
    // No secret of any kind reaches the log.
    const log = server.stdout();
    assert.ok(!log.includes(SECRET) && !log.includes('PRIVATE KEY') && !/eyJ[\w-]+\.eyJ/.test(log), 'no secret, key or token in the log');

    // The issuer's discovery document names the example's issuer.
    const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(discovery.issuer, 'http://127.0.0.1:9000');
  });
});
