/** The S3 peers start, hold a bucket, answer S3 requests and stop cleanly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { bytesBody, readAll } from '../../src/core/body.ts';
import { verifyingHttpClient } from './verifying-http-client.ts';
import { startS3rver } from './s3rver-peer.ts';
import { startMotoServer } from './moto-peer.ts';
import { PeerUnavailableError, type S3Peer } from './s3-peer.ts';

async function signedFetch(peer: S3Peer, method: string, path: string, credentials = peer.credentials): Promise<Response> {
  const url = `${peer.endpoint}${path}`;
  const headers = await signRequest({ method, url, headers: {} }, credentials, {
    region: 'us-east-1',
    service: 's3',
    payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  });
  delete headers.host;
  return fetch(url, { method, headers });
}

async function assertServesBucket(peer: S3Peer): Promise<void> {
  assert.match(peer.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await signedFetch(peer, 'GET', `/${peer.bucket}?list-type=2`);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.match(body, new RegExp(`<Name>${peer.bucket}</Name>`));
  assert.match(body, /<KeyCount>0<\/KeyCount>/);
  await peer.createBucket('second-bucket');
  const second = await signedFetch(peer, 'GET', '/second-bucket?list-type=2');
  assert.equal(second.status, 200, await second.text());
}

async function assertStopped(peer: S3Peer): Promise<void> {
  await assert.rejects(fetch(`${peer.endpoint}/`), TypeError);
}

test('startS3rver serves a bucket on loopback and stop() ends it', async () => {
  const peer = await startS3rver({ bucket: 'peer-check' });
  try {
    assert.equal(peer.bucket, 'peer-check');
    await assertServesBucket(peer);
  } finally {
    await peer.stop();
  }
  await assertStopped(peer);
});

test('startMotoServer serves a bucket on loopback and stop() ends it', async (t) => {
  let peer: S3Peer;
  try {
    peer = await startMotoServer({ bucket: 'peer-check' });
  } catch (err) {
    if (err instanceof PeerUnavailableError) return t.skip(err.message);
    throw err;
  }
  try {
    await assertServesBucket(peer);
    // Signatures are checked: a wrong secret and an unsigned request are refused.
    const forged = await signedFetch(peer, 'GET', `/${peer.bucket}?list-type=2`, { ...peer.credentials, secretAccessKey: 'wrong' });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /SignatureDoesNotMatch/);
    // moto answers an unsigned request with a 500 rather than S3's 403; either way it is refused.
    const anonymous = await fetch(`${peer.endpoint}/${peer.bucket}?list-type=2`);
    await anonymous.arrayBuffer();
    assert.ok(anonymous.status >= 400, `anonymous listing answered ${anonymous.status}`);
  } finally {
    await peer.stop();
  }
  await assertStopped(peer);
});

test('startS3rver removes its data folder on stop', async () => {
  const peer = await startS3rver();
  assert.ok(peer.dataDir);
  await access(peer.dataDir);
  await peer.stop();
  await assert.rejects(access(peer.dataDir), { code: 'ENOENT' });
});

test('s3rver cannot be made to write outside its data folder by a key with ".." segments', async () => {
  const peer = await startS3rver({ bucket: 'confined' });
  const marker = `sluice-escape-check-${process.pid}`;
  try {
    // `/confined/../../<marker>` as sent: s3rver would map it to a file two levels above its folder.
    const url = `${peer.endpoint}/confined/..%2F..%2F${marker}`;
    const headers = await signRequest({ method: 'PUT', url, headers: { 'content-length': '1' } }, peer.credentials, {
      region: 'us-east-1',
      service: 's3',
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    delete headers.host;
    const res = await fetch(url, { method: 'PUT', headers, body: 'x' });
    assert.equal(res.status, 500);
    const escapedTo = path.resolve(peer.dataDir!, 'confined', '..', '..');
    const leftovers = (await readdir(escapedTo)).filter((name) => name.startsWith(marker));
    assert.deepEqual(leftovers, []);
  } finally {
    await peer.stop();
  }
});

test('verifyingHttpClient forwards correctly signed requests and answers others with SignatureDoesNotMatch', async () => {
  const forwarded: string[] = [];
  const inner = {
    async request(req: { url: string }) {
      forwarded.push(req.url);
      return { status: 200, headers: {}, body: bytesBody('ok') };
    },
  };
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  const client = verifyingHttpClient(inner, credentials, 'us-east-1');
  const send = async (secretAccessKey: string, url: string) => {
    const headers = await signRequest({ method: 'GET', url, headers: {} }, { ...credentials, secretAccessKey }, { region: 'us-east-1', service: 's3' });
    return client.request({ method: 'GET', url, headers });
  };
  const good = await send('secret', 'http://127.0.0.1:9/b/a%20b/%2A?delimiter=%2F&list-type=2');
  assert.equal(good.status, 200);
  const bad = await send('wrong', 'http://127.0.0.1:9/b/k');
  assert.equal(bad.status, 403);
  assert.match(new TextDecoder().decode(await readAll(bad.body)), /<Code>SignatureDoesNotMatch<\/Code>/);
  const unsigned = await client.request({ method: 'GET', url: 'http://127.0.0.1:9/b/k', headers: {} });
  assert.equal(unsigned.status, 403);
  assert.deepEqual(forwarded, ['http://127.0.0.1:9/b/a%20b/%2A?delimiter=%2F&list-type=2']);
  assert.equal(client.stats.checked, 1);
  assert.equal(client.stats.failures.length, 2);
});
