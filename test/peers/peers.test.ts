/** The S3 peers start, hold a bucket, answer S3 requests and stop cleanly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
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
