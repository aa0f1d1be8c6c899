/**
 * On Node, an upload that no check needs to see reaches the backend as the
 * request's own Node stream (so a backend can pipe it); one that a check
 * must see (Content-MD5, a checksum, a signed payload hash) reaches it as a
 * checked Web stream.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { Backend, ObjectMetadata, PutOptions } from '../../src/core/backend.ts';
import { type Body, RuntimeBody } from '../../src/core/body.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';

const WRITER: AccessKeyConfig = {
  accessKeyId: 'SLAKNATIVEAAAAAAAAAA',
  secretAccessKey: 'native-secret-0123456789abcdef',
  account: 'research',
  label: 'writer',
  status: 'active',
};

/** A memory backend that records what kind of body each put received. */
class BodySpy extends MemoryBackend {
  readonly seen: string[] = [];
  override put(key: string, body: Body, metadata: ObjectMetadata, options?: PutOptions) {
    this.seen.push(body instanceof RuntimeBody && body.native instanceof Readable ? 'node' : body instanceof ReadableStream ? 'web' : 'other');
    return super.put(key, body, metadata, options);
  }
}

async function put(base: string, key: string, body: string, headers: Record<string, string>, payloadHash = 'UNSIGNED-PAYLOAD'): Promise<number> {
  const url = `${base}/data/${key}`;
  const signed = await signRequest({ method: 'PUT', url, headers }, WRITER, { region: 'us-east-1', service: 's3', payloadHash });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { ...signed, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('upload bodies on Node', () => {
  let server: RunningServer;
  const spy = new BodySpy({ readOnly: false });

  before(async () => {
    const config = testConfig({ buckets: [bucket('data', { public: false })] });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'data', actions: ['read', 'write'] }] }];
    config.accessKeys = [WRITER];
    server = await startServer(config, { backends: new Map<string, Backend>([['main', spy]]) });
  });

  after(() => server?.close());

  test('UNSIGNED-PAYLOAD without digests: the backend gets the Node stream', async () => {
    assert.equal(await put(server.url, 'plain.txt', 'plain', {}), 200);
    assert.equal(spy.seen.at(-1), 'node');
  });

  test('Content-MD5, a checksum or a signed payload hash: the backend gets a checked Web stream', async () => {
    const md5 = createHash('md5').update('digest').digest('base64');
    assert.equal(await put(server.url, 'md5.txt', 'digest', { 'content-md5': md5 }), 200);
    assert.equal(spy.seen.at(-1), 'web');
    assert.equal(await put(server.url, 'crc.txt', 'hello', { 'x-amz-checksum-crc32': 'NhCmhg==' }), 200);
    assert.equal(spy.seen.at(-1), 'web');
    assert.equal(await put(server.url, 'sha.txt', 'signed', {}, createHash('sha256').update('signed').digest('hex')), 200);
    assert.equal(spy.seen.at(-1), 'web');
  });
});
