/**
 * User metadata outside US-ASCII through the Node server with the AWS SDK for
 * JavaScript: the SDK signs the value as UTF-8 and Node sends it as Latin-1
 * bytes, so the signature must be checked over the header as the client
 * meant it; the value is stored as UTF-8 and answered as S3 answers it
 * (RFC 2047 encoded-word when not ASCII).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeadObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const KEY: AccessKeyConfig = {
  accessKeyId: 'SLAKMETAWRITERAAAAAA',
  secretAccessKey: 'secret-of-meta-writer-0123456789abcd',
  account: 'research',
  label: 'meta',
  status: 'active',
};

describe('non-ASCII user metadata with the AWS SDK for JavaScript', () => {
  let server: RunningServer;
  let s3: S3Client;
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-meta-'));
    const config = testConfig({
      buckets: [bucket('mem', { public: false, prefix: 'mem/' }), bucket('disk', { public: false, connection: 'disk', prefix: '' })],
    });
    config.accounts = [{ name: 'research', grants: ['mem', 'disk'].map((b) => ({ bucket: b, actions: ['read' as const, 'write' as const] })) }];
    config.accessKeys = [KEY];
    server = await startServer(config, {
      backends: new Map<string, Backend>([
        ['main', new MemoryBackend()],
        ['disk', new FsBackend({ root, readOnly: false })],
      ]),
    });
    s3 = signedClient(server.url, KEY);
  });
  after(async () => {
    s3.destroy();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  for (const target of ['mem', 'disk']) {
    test(`PutObject with a Latin-1 metadata value on ${target} is accepted and reads back as S3 answers it`, async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: target, Key: 'who.txt', Body: 'hello', Metadata: { who: 'Zoë', plain: 'ascii' } }));
      assert.equal(put.$metadata.httpStatusCode, 200);
      const head = await s3.send(new HeadObjectCommand({ Bucket: target, Key: 'who.txt' }));
      // S3 answers a non-ASCII value as an RFC 2047 encoded-word of its UTF-8 bytes; ASCII as is.
      assert.equal(head.Metadata?.who, `=?UTF-8?B?${Buffer.from('Zoë', 'utf8').toString('base64')}?=`);
      assert.equal(head.Metadata?.plain, 'ascii');
      const got = await s3.send(new GetObjectCommand({ Bucket: target, Key: 'who.txt' }));
      assert.equal(got.Metadata?.who, head.Metadata?.who);
      assert.equal(await got.Body!.transformToString(), 'hello');
    });
  }
});

describe('metadata header bytes the client signed as UTF-8', () => {
  test('a value sent as Latin-1 bytes but signed as UTF-8 text verifies, and a tampered one does not', async (t) => {
    const config = testConfig({ buckets: [bucket('mem', { public: false, prefix: 'mem/' })] });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'mem', actions: ['read', 'write'] }] }];
    config.accessKeys = [KEY];
    const server = await startServer(config, { backends: new Map<string, Backend>([['main', new MemoryBackend()]]) });
    t.after(() => server.close());
    const url = new URL(server.url);
    const send = async (metaOnWire: Buffer) => {
      // Signed as the SDKs sign: the value's UTF-8 text.
      const signed = await signRequest(
        { method: 'PUT', url: `${server.url}/mem/latin1.txt`, headers: { 'x-amz-meta-who': 'Zoë', 'content-length': '2' } },
        KEY,
        { region: 'us-east-1', service: 's3' },
      );
      const socket = await import('node:net').then((net) => net.connect(Number(url.port), url.hostname));
      const head = Object.entries(signed).filter(([n]) => n !== 'x-amz-meta-who').map(([n, v]) => `${n}: ${v}\r\n`).join('');
      socket.write(Buffer.concat([Buffer.from(`PUT /mem/latin1.txt HTTP/1.1\r\n${head}x-amz-meta-who: `), metaOnWire, Buffer.from('\r\nconnection: close\r\n\r\nhi')]));
      const reply = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (d) => (text += d.toString('latin1')));
        socket.on('close', () => resolve(text));
      });
      return Number(reply.split(' ')[1]);
    };
    assert.equal(await send(Buffer.from('Zoë', 'latin1')), 200);
    assert.equal(await send(Buffer.from('Zoe', 'latin1')), 403);
  });
});
