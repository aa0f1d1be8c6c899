/**
 * The hot-range cache over the fs backend in a running gateway, read by the
 * AWS SDK with Range: answers match the uncached gateway's field for field,
 * and a file rewritten in place on disk by another program (no Sluice
 * write involved) is never served as a mix of its old and new contents.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { anonymousClient } from '../support/s3-client.ts';

const CHUNK = 64 * 1024;

function fields(out: GetObjectCommandOutput) {
  return {
    status: out.$metadata.httpStatusCode, ContentRange: out.ContentRange, ContentLength: out.ContentLength, ETag: out.ETag,
    LastModified: out.LastModified?.toISOString(), ContentType: out.ContentType, AcceptRanges: out.AcceptRanges,
  };
}

describe('hot-range cache over the fs backend', () => {
  let root: string;
  let server: RunningServer;
  let client: S3Client;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-range-fs-'));
    const config = testConfig({
      buckets: [bucket('cached', { connection: 'disk' }), bucket('plain', { connection: 'disk', cache: { enabled: false } })],
      connections: { disk: { type: 'fs', name: 'disk', readOnly: true, cache: { chunkSize: CHUNK, metadataTtlSeconds: 60 } } },
    });
    server = await startServer(config, { backends: new Map([['disk', new FsBackend({ root, readOnly: true })]]) });
    client = anonymousClient(server.url);
  });

  after(async () => {
    client?.destroy();
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('ranged reads through the cache answer exactly as without it', async () => {
    await writeFile(join(root, 'scene.tif'), randomBytes(3 * CHUNK + 17));
    for (const range of ['bytes=0-99', 'bytes=65000-140000', 'bytes=-17', 'bytes=100000-']) {
      const cached = await client.send(new GetObjectCommand({ Bucket: 'cached', Key: 'scene.tif', Range: range }));
      const plain = await client.send(new GetObjectCommand({ Bucket: 'plain', Key: 'scene.tif', Range: range }));
      assert.deepEqual(fields(cached), fields(plain), range);
      assert.deepEqual(await cached.Body!.transformToByteArray(), await plain.Body!.transformToByteArray(), range);
    }
  });

  test('a file rewritten in place between reads is served whole from one generation', async () => {
    const first = randomBytes(2 * CHUNK);
    const second = randomBytes(2 * CHUNK);
    await writeFile(join(root, 'rewritten.tif'), first);
    const warm = await fetch(`${server.url}/cached/rewritten.tif`, { headers: { range: 'bytes=0-9' } });
    assert.equal(warm.headers.get('x-cache'), 'MISS');
    assert.deepEqual(new Uint8Array(await warm.arrayBuffer()), new Uint8Array(first.subarray(0, 10)));
    await writeFile(join(root, 'rewritten.tif'), second);
    const span = await fetch(`${server.url}/cached/rewritten.tif`, { headers: { range: `bytes=${CHUNK - 50}-${CHUNK + 50}` } });
    assert.equal(span.status, 206);
    assert.equal(span.headers.get('x-cache'), 'BYPASS', 'chunk 1 was fetched with the old ETag and refused');
    assert.deepEqual(new Uint8Array(await span.arrayBuffer()), new Uint8Array(second.subarray(CHUNK - 50, CHUNK + 51)));
  });
});
