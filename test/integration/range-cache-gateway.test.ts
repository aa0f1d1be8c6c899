/**
 * The hot-range cache in a running gateway over the S3 backend (moto's S3
 * server, a real peer), read by the AWS SDK for JavaScript with Range: what
 * it answers matches the store's own answer field for field, misses
 * coalesce into one chunk fetch, an object overwritten between two reads is
 * never served as a mix of generations (moto answers the chunk fetch's
 * If-Match with 412), and the disk tier serves hits after a restart.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, type GetObjectCommandOutput, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import type { Backend, GetOptions } from '../../src/core/backend.ts';
import type { AccessKeyConfig, SluiceConfig } from '../../src/core/config.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { motoUnavailableReason, startMotoServer } from '../peers/moto-peer.ts';
import type { S3Peer } from '../peers/s3-peer.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { anonymousClient, signedClient } from '../support/s3-client.ts';

const CHUNK = 64 * 1024;
const WRITER: AccessKeyConfig = {
  accessKeyId: 'SLAKRANGECACHEAAAAAA',
  secretAccessKey: 'writer-secret-0123456789abcdef',
  account: 'geo',
  label: 'writer',
  status: 'active',
};
const skip = motoUnavailableReason();

/** Counts the backend reads that fetch whole chunks (they alone carry If-Match). */
function counting(backend: Backend): { backend: Backend; chunkFetches: () => number } {
  let fetches = 0;
  const wrapped = Object.create(backend) as Backend;
  wrapped.get = (key: string, options?: GetOptions) => {
    if (options?.conditions?.ifMatch !== undefined) fetches++;
    return backend.get(key, options);
  };
  return { backend: wrapped, chunkFetches: () => fetches };
}

async function rawGet(url: string, range?: string): Promise<{ status: number; headers: Headers; body: Uint8Array }> {
  const res = await fetch(url, { headers: range ? { range } : {} });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/** The fields of GetObject's answer a client reads. */
function fields(out: GetObjectCommandOutput) {
  return {
    status: out.$metadata.httpStatusCode, ContentRange: out.ContentRange, ContentLength: out.ContentLength, ETag: out.ETag,
    LastModified: out.LastModified?.toISOString(), ContentType: out.ContentType, AcceptRanges: out.AcceptRanges,
    CacheControl: out.CacheControl, Metadata: out.Metadata,
  };
}

describe('hot-range cache in the gateway over the S3 backend (moto)', { skip }, () => {
  let peer: S3Peer;
  let server: RunningServer;
  let writer: S3Client;
  let reader: S3Client;
  let store: S3Client;
  let diskDir: string;
  let config: SluiceConfig;
  let chunkFetches: () => number;
  let backend: Backend;
  const http = createNodeHttpClient();

  before(async () => {
    peer = await startMotoServer({ verifySignatures: false });
    diskDir = await mkdtemp(join(tmpdir(), 'sluice-range-cache-'));
    const s3 = new S3Backend({
      endpoint: peer.endpoint, region: peer.region, bucket: peer.bucket, forcePathStyle: true, prefix: 'base/', credentials: peer.credentials, http,
    });
    ({ backend, chunkFetches } = counting(s3));
    config = testConfig({
      buckets: [bucket('tiles', { public: true })],
      connections: {
        main: {
          type: 's3', name: 'main', readOnly: false,
          cache: { chunkSize: CHUNK, maxSpan: 4 * CHUNK, metadataTtlSeconds: 30, memory: { maxBytes: 16 * CHUNK }, disk: { path: diskDir, maxBytes: 64 * CHUNK } },
        },
      },
      accounts: [{ name: 'geo', grants: [{ bucket: 'tiles', actions: ['read', 'write'] }] }],
      accessKeys: [WRITER],
    });
    server = await startServer(config, { backends: new Map([['main', backend]]) });
    writer = signedClient(server.url, WRITER);
    reader = anonymousClient(server.url);
    store = signedClient(peer.endpoint, peer.credentials, { region: peer.region });
  });

  after(async () => {
    for (const client of [writer, reader, store]) client?.destroy();
    await server?.close();
    http.close();
    await peer?.stop();
    if (diskDir) await rm(diskDir, { recursive: true, force: true });
  });

  const put = (key: string, body: Uint8Array) =>
    writer.send(new PutObjectCommand({ Bucket: 'tiles', Key: key, Body: body, ContentType: 'image/tiff', CacheControl: 'max-age=600', Metadata: { band: 'nir' } }));

  test('a ranged GetObject answers as the store does, first as a miss, then as a hit', async () => {
    const bytes = new Uint8Array(randomBytes(5 * CHUNK + 123));
    await put('cog.tif', bytes);
    const cases = [['bytes=1000-70000', 'MISS'], ['bytes=65536-65536', 'HIT'], ['bytes=-500', 'MISS'], ['bytes=200000-', 'MISS'], ['bytes=5-6', 'HIT']] as const;
    for (const [range, first] of cases) {
      const raw = await rawGet(`${server.url}/tiles/cog.tif`, range);
      assert.equal(raw.headers.get('x-cache'), first, range);
      // The SDK's reads are hits now; they must match the store's answer exactly.
      const through = await reader.send(new GetObjectCommand({ Bucket: 'tiles', Key: 'cog.tif', Range: range }));
      const direct = await store.send(new GetObjectCommand({ Bucket: peer.bucket, Key: 'base/cog.tif', Range: range }));
      assert.deepEqual(fields(through), fields(direct), range);
      const body = await through.Body!.transformToByteArray();
      assert.deepEqual(body, await direct.Body!.transformToByteArray(), range);
      assert.deepEqual(raw.body, body, range);
    }
  });

  test('x-cache says MISS, HIT and BYPASS', async () => {
    await put('xcache.tif', new Uint8Array(randomBytes(3 * CHUNK)));
    assert.equal((await rawGet(`${server.url}/tiles/xcache.tif`, 'bytes=10-20')).headers.get('x-cache'), 'MISS');
    assert.equal((await rawGet(`${server.url}/tiles/xcache.tif`, 'bytes=30-40')).headers.get('x-cache'), 'HIT');
    assert.equal((await rawGet(`${server.url}/tiles/xcache.tif`)).headers.get('x-cache'), 'BYPASS');
    assert.equal((await rawGet(`${server.url}/tiles/xcache.tif`, 'bytes=0-')).headers.get('x-cache'), 'BYPASS');
  });

  test('concurrent ranged GETs of one cold chunk fetch it from the store once', async () => {
    await put('hot.tif', new Uint8Array(randomBytes(2 * CHUNK)));
    await rawGet(`${server.url}/tiles/hot.tif`, 'bytes=0-0'); // warms the metadata, and chunk 0
    const before = chunkFetches();
    const reads = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      reader.send(new GetObjectCommand({ Bucket: 'tiles', Key: 'hot.tif', Range: `bytes=${CHUNK + i * 100}-${CHUNK + i * 100 + 99}` }))));
    assert.ok(reads.every((r) => r.$metadata.httpStatusCode === 206));
    assert.equal(chunkFetches() - before, 1);
  });

  test('an object overwritten between reads is never served as a mix of generations', async () => {
    const first = new Uint8Array(randomBytes(4 * CHUNK));
    const second = new Uint8Array(randomBytes(4 * CHUNK));
    await put('gen.tif', first);
    // Chunk 0 of generation 1 cached, and its metadata (trusted for 30 s).
    const warm = await reader.send(new GetObjectCommand({ Bucket: 'tiles', Key: 'gen.tif', Range: 'bytes=0-99' }));
    assert.deepEqual(await warm.Body!.transformToByteArray(), first.subarray(0, 100));
    const written = await put('gen.tif', second);
    // Chunk 0 would be a hit of generation 1; chunk 1's fetch carries If-Match of generation 1, and the store refuses it.
    const span = `bytes=${CHUNK - 1000}-${CHUNK + 1000}`;
    const raw = await rawGet(`${server.url}/tiles/gen.tif`, span);
    assert.equal(raw.status, 206);
    assert.equal(raw.headers.get('x-cache'), 'BYPASS');
    assert.equal(raw.headers.get('etag'), written.ETag);
    assert.deepEqual(raw.body, second.subarray(CHUNK - 1000, CHUNK + 1001));
    const after = await reader.send(new GetObjectCommand({ Bucket: 'tiles', Key: 'gen.tif', Range: 'bytes=0-99' }));
    assert.equal(after.ETag, written.ETag);
    assert.deepEqual(await after.Body!.transformToByteArray(), second.subarray(0, 100));
  });

  test('the disk tier serves hits after a restart', async () => {
    const bytes = new Uint8Array(randomBytes(2 * CHUNK));
    await put('kept.tif', bytes);
    assert.equal((await rawGet(`${server.url}/tiles/kept.tif`, 'bytes=100-200')).headers.get('x-cache'), 'MISS');
    // Let the disk write land (it never holds up the response).
    for (let i = 0; i < 50; i++) {
      const folders = await readdir(diskDir);
      if (folders.some((name) => /^[0-9a-f]{2}$/.test(name))) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.close();
    server = await startServer(config, { backends: new Map([['main', backend]]) });
    reader.destroy();
    reader = anonymousClient(server.url);
    const before = chunkFetches();
    const again = await rawGet(`${server.url}/tiles/kept.tif`, 'bytes=150-250');
    assert.equal(again.headers.get('x-cache'), 'HIT');
    assert.deepEqual(again.body, bytes.subarray(150, 251));
    assert.equal(chunkFetches(), before, 'no chunk was fetched from the store');
  });
});
