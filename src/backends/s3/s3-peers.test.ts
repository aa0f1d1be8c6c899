/**
 * The S3 backend against real servers (moto, s3rver) for what the contract
 * suite does not reach: streamed uploads of known length from Node and Web
 * streams, multipart uploads of unknown length, aborted streamed uploads,
 * Node-native response bodies, and signatures the server actually checks.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { BackendError, ObjectNotFoundError } from '../../core/backend-errors.ts';
import { RuntimeBody, bytesBody, readAll } from '../../core/body.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { motoUnavailableReason, startMotoServer } from '../../../test/peers/moto-peer.ts';
import type { S3Peer } from '../../../test/peers/s3-peer.ts';
import { startS3rver } from '../../../test/peers/s3rver-peer.ts';
import { S3Backend } from './s3-backend.ts';
import type { S3BackendOptions } from './options.ts';

const MiB = 1024 * 1024;

function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 12)) & 0xff;
  return out;
}

const md5 = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;

function nodeBody(bytes: Uint8Array, chunk = 64 * 1024): RuntimeBody {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
  const stream = Readable.from(chunks);
  return new RuntimeBody(stream, () => Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, () => stream.destroy());
}

/** `skips`: test name → why this server cannot pass it. */
function suite(label: string, start: () => Promise<S3Peer>, unavailable: string | undefined, skips: Record<string, string>): void {
  describe(label, { skip: unavailable ?? false }, () => {
    if (unavailable) return;
    const test = (name: string, body: () => Promise<void>) => it(name, { skip: skips[name] ?? false }, body);
    let peer: S3Peer | undefined;
    const client = createNodeHttpClient();
    after(async () => {
      client.close();
      await peer?.stop();
    });
    let buckets = 0;
    async function make(overrides: Partial<S3BackendOptions> = {}): Promise<S3Backend> {
      peer ??= await start();
      const bucket = `peers-${++buckets}`;
      await peer.createBucket(bucket);
      return new S3Backend({
        endpoint: peer.endpoint,
        region: peer.region,
        bucket,
        forcePathStyle: true,
        prefix: 'p/',
        credentials: peer.credentials,
        http: client,
        retry: { attempts: 2, baseDelayMs: 10 },
        ...overrides,
      });
    }

    test('streams a known-length upload from a Node stream and from a Web stream', async () => {
      const backend = await make();
      const data = pattern(3 * MiB + 17);
      const fromNode = await backend.put('node', nodeBody(data), { contentType: 'application/x-test', metadata: {} }, { contentLength: data.length });
      assert.equal(fromNode.etag, md5(data));
      const fromWeb = await backend.put('web', bytesBody(data), { metadata: { m: 'v' } }, { contentLength: data.length });
      assert.equal(fromWeb.etag, md5(data));
      for (const key of ['node', 'web']) {
        const got = await backend.get(key);
        assert.deepEqual(await readAll(got.body), data);
        assert.equal(got.info.size, data.length);
      }
      assert.equal((await backend.head('node')).contentType, 'application/x-test');
      assert.deepEqual((await backend.head('web')).metadata, { m: 'v' });
    });

    test('uploads a body of unknown length beyond one part as a multipart upload', async () => {
      const backend = await make({ multipartPartSize: 5 * MiB });
      const data = pattern(11 * MiB + 5);
      const { etag } = await backend.put('big', nodeBody(data), { contentType: 'application/octet-stream', metadata: { a: '1' } });
      const got = await backend.get('big');
      assert.equal(got.info.etag, etag);
      assert.equal(got.info.contentType, 'application/octet-stream');
      assert.deepEqual(got.info.metadata, { a: '1' });
      assert.deepEqual(await readAll(got.body), data);
      const part = await backend.get('big', { range: { kind: 'bounded', first: 5 * MiB - 2, last: 5 * MiB + 1 } });
      assert.deepEqual(await readAll(part.body), data.subarray(5 * MiB - 2, 5 * MiB + 2));
    });

    test('a multipart upload carries the multipart ETag, one part per multipartPartSize', async () => {
      const backend = await make({ multipartPartSize: 5 * MiB });
      const { etag } = await backend.put('big', bytesBody(pattern(11 * MiB)), { metadata: {} });
      assert.match(etag, /^"[0-9a-f]{32}-3"$/);
      assert.equal((await backend.head('big')).etag, etag);
    });

    test('a wrong secret key is refused by the server and reported as a refusal, not a missing object', async () => {
      const backend = await make();
      await backend.put('k', bytesBody('x'), { metadata: {} }, { contentLength: 1 });
      const forged = await make({ credentials: { accessKeyId: peer!.credentials.accessKeyId, secretAccessKey: 'wrong' } });
      const error = await forged.get('k').then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(error instanceof BackendError && !(error instanceof ObjectNotFoundError), String(error));
      assert.equal((error.cause as { status: number }).status, 403);
      assert.equal((error.cause as { code: string }).code, 'SignatureDoesNotMatch');
    });

    test('an aborted known-length upload stores nothing', async () => {
      const backend = await make();
      const controller = new AbortController();
      let sent = false;
      const stalling = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent) {
            // The first bytes are on their way and the upload waits for more: the client goes away now.
            controller.abort(new Error('client went away'));
            return new Promise<void>(() => {});
          }
          sent = true;
          c.enqueue(new Uint8Array(1000));
          return undefined;
        },
      });
      const upload = backend.put('half', stalling, { metadata: {} }, { contentLength: 5000, signal: controller.signal });
      await assert.rejects(upload, /client went away/);
      await assert.rejects(backend.head('half'), ObjectNotFoundError);
    });

    test('hands back the Node response stream itself for the runtime to pipe', async () => {
      const backend = await make();
      await backend.put('k', bytesBody('hello'), { metadata: {} }, { contentLength: 5 });
      const got = await backend.get('k');
      assert.ok(got.body instanceof RuntimeBody);
      assert.ok(got.body.native instanceof http.IncomingMessage);
      assert.equal(new TextDecoder().decode(await readAll(got.body)), 'hello');
    });
  });
}

suite('s3 backend on moto', () => startMotoServer(), motoUnavailableReason(), {});
suite('s3 backend on s3rver', () => startS3rver(), undefined, {
  'a multipart upload carries the multipart ETag, one part per multipartPartSize': 's3rver gives a multipart object the MD5 of its whole content',
  'an aborted known-length upload stores nothing': 's3rver keeps whatever arrived of a request that was cut short',
  'a wrong secret key is refused by the server and reported as a refusal, not a missing object': 's3rver does not check SigV4 signatures',
});
