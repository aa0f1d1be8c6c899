/**
 * The Node runtime's own duties: addressing modes, CORS, health endpoints,
 * odd Expect headers, aborting backend reads when clients leave, and
 * draining in-flight requests on shutdown.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { Backend, GetResult, ObjectInfo } from '../../src/core/backend.ts';
import { RuntimeBody, bytesBody } from '../../src/core/body.ts';
import { startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { anonymousClient } from '../support/s3-client.ts';

async function memoryWith(objects: Record<string, string>): Promise<MemoryBackend> {
  const backend = new MemoryBackend({ readOnly: false });
  for (const [key, content] of Object.entries(objects)) await backend.put(key, bytesBody(content), { metadata: {} });
  return backend;
}

const INFO: ObjectInfo = { key: 'big', size: 1 << 30, etag: '"x"', lastModified: new Date(0), metadata: {} };

/** A backend serving one endless object from the given body factory, for abort and drain tests. */
function streamingBackend(makeBody: () => GetResult['body'], size = INFO.size): Backend {
  const fail = () => Promise.reject(new Error('not used'));
  const info = { ...INFO, size };
  return {
    kind: 'test',
    head: async () => info,
    get: async () => ({ info, body: makeBody() }),
    list: fail,
    put: fail,
    delete: fail,
  };
}

function rawRequest(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Node server', () => {
  test('path-mapped mode: /{account}/{product}/key, products as common prefixes, paginated', async (t) => {
    const backend = await memoryWith({ 'landsat/scene-1.tif': 'L1', 'landsat/scene-2.tif': 'L2', 'sentinel/tile.jp2': 'S', 'dem/x': 'D' });
    const config = testConfig({
      server: { addressing: 'path-mapped' },
      buckets: [
        bucket('landsat', { account: 'acme', prefix: 'landsat/' }),
        bucket('sentinel', { account: 'acme', prefix: 'sentinel/' }),
        bucket('dem', { account: 'acme', prefix: 'dem/', public: false }),
        bucket('other', { account: 'globex', prefix: 'landsat/' }),
      ],
    });
    const server = await startServer(config, { backends: new Map([['main', backend]]) });
    const s3 = anonymousClient(server.url);
    t.after(async () => {
      s3.destroy();
      await server.close();
    });

    const object = await s3.send(new GetObjectCommand({ Bucket: 'acme', Key: 'landsat/scene-2.tif' }));
    assert.equal(await object.Body!.transformToString(), 'L2');

    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'acme', Delimiter: '/' }));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ['landsat/', 'sentinel/']);
    const paged: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1 }, { Bucket: 'acme', Delimiter: '/' })) {
      paged.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
    }
    assert.deepEqual(paged, ['landsat/', 'sentinel/']);

    const inside = await s3.send(new ListObjectsV2Command({ Bucket: 'acme', Prefix: 'landsat/' }));
    assert.deepEqual(inside.Contents?.map((c) => c.Key), ['landsat/scene-1.tif', 'landsat/scene-2.tif']);

    const everything: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: 'acme' })) {
      everything.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.deepEqual(everything, ['landsat/scene-1.tif', 'landsat/scene-2.tif', 'sentinel/tile.jp2']);

    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(buckets.Buckets?.map((b) => b.Name), ['acme', 'globex']);
    const denied = await fetch(`${server.url}/acme/dem/x`);
    assert.equal(denied.status, 403);
  });

  test('virtual-host style: {bucket}.{domain} selects the bucket', async (t) => {
    const backend = await memoryWith({ 'a/b.txt': 'vhost' });
    const config = testConfig({ server: { virtualHostDomain: 's3.localhost' }, buckets: [bucket('open-data')] });
    const server = await startServer(config, { backends: new Map([['main', backend]]) });
    t.after(() => server.close());
    const got = await rawRequest(server.url, '/a/b.txt', { host: `open-data.s3.localhost:${server.port}` });
    assert.deepEqual(got, { status: 200, body: 'vhost' });
    const list = await rawRequest(server.url, '/?list-type=2', { host: `open-data.s3.localhost:${server.port}` });
    assert.match(list.body, /<Key>a\/b.txt<\/Key>/);
    const pathStyle = await rawRequest(server.url, '/open-data/a/b.txt', { host: `s3.localhost:${server.port}` });
    assert.equal(pathStyle.body, 'vhost');
  });

  test('CORS: preflight from the configured rule, headers on allowed origins, refusal otherwise', async (t) => {
    const backend = await memoryWith({ 'k': 'v' });
    const config = testConfig({
      server: {
        cors: {
          allowedOrigins: ['https://viewer.example'],
          allowedMethods: ['GET', 'HEAD'],
          allowedHeaders: ['range', 'authorization'],
          exposeHeaders: ['ETag', 'Content-Range'],
          maxAgeSeconds: 600,
          allowCredentials: false,
        },
      },
      buckets: [bucket('open-data')],
    });
    const server = await startServer(config, { backends: new Map([['main', backend]]) });
    t.after(() => server.close());
    const preflight = await fetch(`${server.url}/open-data/k`, {
      method: 'OPTIONS',
      headers: { origin: 'https://viewer.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'Range' },
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://viewer.example');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'range');
    assert.equal(preflight.headers.get('access-control-max-age'), '600');
    const refused = await fetch(`${server.url}/open-data/k`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(refused.status, 403);
    const get = await fetch(`${server.url}/open-data/k`, { headers: { origin: 'https://viewer.example' } });
    assert.equal(get.headers.get('access-control-allow-origin'), 'https://viewer.example');
    assert.equal(get.headers.get('access-control-expose-headers'), 'ETag, Content-Range');
    const other = await fetch(`${server.url}/open-data/k`, { headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('/.health and /.ready answer; an unusual Expect header is ignored rather than answered with 417', async (t) => {
    const backend = await memoryWith({ 'k': 'value' });
    const server = await startServer(testConfig({ buckets: [bucket('open-data')] }), { backends: new Map([['main', backend]]) });
    t.after(() => server.close());
    assert.equal((await fetch(`${server.url}/.health`)).status, 200);
    assert.equal((await fetch(`${server.url}/.ready`)).status, 200);
    const got = await rawRequest(server.url, '/open-data/k', { expect: 'something-else' });
    assert.deepEqual(got, { status: 200, body: 'value' });
  });

  test('a client that disconnects mid-download cancels the backend read (Web stream body)', async (t) => {
    let cancelled: () => void;
    const wasCancelled = new Promise<void>((resolve) => (cancelled = resolve));
    const backend = streamingBackend(() => new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(64 * 1024)),
      cancel: () => cancelled(),
    }, { highWaterMark: 0 }));
    const server = await startServer(testConfig({ buckets: [bucket('open-data')] }), { backends: new Map([['main', backend]]) });
    t.after(() => server.close());
    await abandonAfterFirstBytes(`${server.url}/open-data/big`);
    await wasCancelled;
  });

  test('a client that disconnects mid-download destroys a native source stream', async (t) => {
    let destroyed: () => void;
    const wasDestroyed = new Promise<void>((resolve) => (destroyed = resolve));
    const backend = streamingBackend(() => {
      const source = new Readable({ read() { this.push(Buffer.alloc(64 * 1024)); } });
      source.once('close', () => destroyed());
      return new RuntimeBody(source, () => Readable.toWeb(source) as ReadableStream<Uint8Array>, () => source.destroy());
    });
    const server = await startServer(testConfig({ buckets: [bucket('open-data')] }), { backends: new Map([['main', backend]]) });
    t.after(() => server.close());
    await abandonAfterFirstBytes(`${server.url}/open-data/big`);
    await wasDestroyed;
  });

  test('shutdown drains in-flight requests, then refuses new connections', { timeout: 30_000 }, async () => {
    const chunks = 10;
    // The body sends its first byte, then holds the rest until the test has begun the shutdown.
    let started!: () => void;
    const firstByteSent = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const shutdownBegun = new Promise<void>((resolve) => (release = resolve));
    const backend = streamingBackend(() => {
      let sent = 0;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent === 1) {
            started();
            await shutdownBegun;
          }
          controller.enqueue(new TextEncoder().encode('x'));
          if (++sent === chunks) controller.close();
        },
      }, { highWaterMark: 0 });
    }, chunks);
    const server = await startServer(testConfig({ buckets: [bucket('open-data')] }), { backends: new Map([['main', backend]]) });
    const inFlight = fetch(`${server.url}/open-data/slow`).then((r) => r.text());
    await firstByteSent;
    // close() stops accepting and marks the connection for draining before it returns its promise.
    const closing = server.close();
    release();
    assert.equal(await inFlight, 'x'.repeat(chunks));
    await closing;
    await assert.rejects(fetch(`${server.url}/.health`));
  });
});

/** Start a download, read the first bytes, then drop the connection. */
function abandonAfterFirstBytes(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.end();
  });
}
