/**
 * Uploads that fail an integrity check never reach an S3 store as a complete
 * request: against moto, a PUT with a wrong `x-amz-content-sha256`,
 * `Content-MD5` or `x-amz-checksum-*` answers 400 and the object keeps its
 * previous version — for sized uploads, and for uploads of unknown length
 * that go up as a multipart upload (aborted, never completed).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import { readAll } from '../../src/core/body.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { motoUnavailableReason, startMotoServer } from '../peers/moto-peer.ts';
import type { S3Peer } from '../peers/s3-peer.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';

const WRITER: AccessKeyConfig = {
  accessKeyId: 'SLAKINTEGRITYAAAAAAA',
  secretAccessKey: 'integrity-secret-0123456789abcdef',
  account: 'research',
  label: 'writer',
  status: 'active',
};

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('base64');

/** A signed PUT through the gateway; `chunked` leaves Content-Length out (unknown length). */
async function put(base: string, key: string, body: Buffer, headers: Record<string, string> = {}, options: { payloadHash?: string; chunked?: boolean } = {}) {
  const url = `${base}/remote/${key}`;
  const payloadHash = options.payloadHash ?? 'UNSIGNED-PAYLOAD';
  const signed = await signRequest({ method: 'PUT', url, headers }, { accessKeyId: WRITER.accessKeyId, secretAccessKey: WRITER.secretAccessKey }, { region: 'us-east-1', service: 's3', payloadHash });
  if (!options.chunked) signed['content-length'] = String(body.length);
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: signed, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    // Several writes, so the body crosses the gateway in more than one chunk.
    for (let offset = 0; offset < body.length; offset += 256 * 1024) req.write(body.subarray(offset, offset + 256 * 1024));
    req.end();
  });
}

describe('integrity failures never commit on the S3 backend (moto)', { skip: motoUnavailableReason() }, () => {
  let peer: S3Peer;
  let server: RunningServer;
  let direct: S3Backend;
  const client = createNodeHttpClient();

  before(async () => {
    peer = await startMotoServer({ verifySignatures: false });
    const options = { endpoint: peer.endpoint, region: peer.region, bucket: peer.bucket, forcePathStyle: true, prefix: '', credentials: peer.credentials, http: client };
    direct = new S3Backend(options);
    const config = testConfig({ buckets: [bucket('remote', { public: false })] });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'remote', actions: ['read', 'write'] }] }];
    config.accessKeys = [WRITER];
    server = await startServer(config, { backends: new Map([['main', new S3Backend({ ...options, multipartPartSize: 5 * 1024 * 1024 })]]) });
  });

  after(async () => {
    await server?.close();
    client.close();
    await peer?.stop();
  });

  async function stored(key: string): Promise<string> {
    return new TextDecoder().decode(await readAll((await direct.get(key)).body));
  }

  const original = Buffer.from('the previous version');
  const replacement = Buffer.alloc(600 * 1024, 'r');

  const cases: Array<{ name: string; code: string; send: (key: string) => ReturnType<typeof put> }> = [
    {
      name: 'a wrong x-amz-content-sha256',
      code: 'XAmzContentSHA256Mismatch',
      send: (key) => put(server.url, key, replacement, {}, { payloadHash: sha256(Buffer.from('something else')) }),
    },
    { name: 'a wrong Content-MD5', code: 'BadDigest', send: (key) => put(server.url, key, replacement, { 'content-md5': md5(Buffer.from('x')) }) },
    { name: 'a wrong x-amz-checksum-crc32', code: 'BadDigest', send: (key) => put(server.url, key, replacement, { 'x-amz-checksum-crc32': 'AAAAAA==' }) },
  ];

  for (const c of cases) {
    test(`${c.name} answers 400 ${c.code} and the store keeps the previous version`, async () => {
      const key = `sized-${c.code}-${c.name.length}.bin`;
      assert.equal((await put(server.url, key, original)).status, 200);
      const res = await c.send(key);
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, new RegExp(`<Code>${c.code}</Code>`));
      assert.equal(await stored(key), original.toString());
    });
  }

  test('a failed digest on an empty body leaves nothing behind', async () => {
    const res = await put(server.url, 'empty.bin', Buffer.alloc(0), { 'content-md5': md5(Buffer.from('x')) });
    assert.equal(res.status, 400, res.text);
    await assert.rejects(direct.head('empty.bin'), { name: 'ObjectNotFoundError' });
  });

  test('an upload of unknown length that fails its digest aborts its multipart upload and never completes it', async () => {
    const key = 'unsized.bin';
    assert.equal((await put(server.url, key, original)).status, 200);
    const big = Buffer.alloc(11 * 1024 * 1024, 'u');
    const res = await put(server.url, key, big, { 'content-md5': md5(Buffer.from('x')) }, { chunked: true });
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /<Code>BadDigest<\/Code>/);
    assert.equal(await stored(key), original.toString());
    const ok = await put(server.url, key, big, { 'content-md5': md5(big) }, { chunked: true });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await direct.head(key)).size, big.length);
  });

  test('the backend on its own: a body that fails after its last byte never commits, sized or not', async () => {
    const failingAtEnd = (size: number) => {
      let sent = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= size) return controller.error(new Error('digest mismatch found at the end'));
          const n = Math.min(64 * 1024, size - sent);
          sent += n;
          controller.enqueue(new Uint8Array(n).fill(0x62));
        },
      }, { highWaterMark: 0 });
    };
    await direct.put('direct.bin', new Blob([original]).stream(), { metadata: {} }, { contentLength: original.length });
    await assert.rejects(direct.put('direct.bin', failingAtEnd(300 * 1024), { metadata: {} }, { contentLength: 300 * 1024 }));
    await assert.rejects(direct.put('direct.bin', failingAtEnd(6 * 1024 * 1024), { metadata: {} }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await stored('direct.bin'), original.toString());
  });
});
