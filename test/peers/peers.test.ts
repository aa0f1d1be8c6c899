/** The S3 peers start, hold a bucket, answer S3 requests and stop cleanly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { startS3rver } from './s3rver-peer.ts';
import { startMotoServer } from './moto-peer.ts';
import { PeerUnavailableError, type S3Peer } from './s3-peer.ts';

async function assertServesBucket(peer: S3Peer): Promise<void> {
  assert.match(peer.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  // Both peers answer anonymous requests; the bucket exists and is empty.
  const res = await fetch(`${peer.endpoint}/${peer.bucket}?list-type=2`);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.match(body, new RegExp(`<Name>${peer.bucket}</Name>`));
  assert.match(body, /<KeyCount>0<\/KeyCount>/);
  await peer.createBucket('second-bucket');
  const second = await fetch(`${peer.endpoint}/second-bucket?list-type=2`);
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
