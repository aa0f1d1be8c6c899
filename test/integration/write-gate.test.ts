/**
 * The write gate, end to end: anonymous callers never write; a write needs a
 * write grant; a connection that cannot write (read-only, or an `s3`
 * connection without credentials) refuses every write with 403 before any
 * backend call — plain, conditional, copy and multi-object delete alike.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import type { HttpClient } from '../../src/core/http.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { anonymousClient, signedClient } from '../support/s3-client.ts';

const WRITER: AccessKeyConfig = {
  accessKeyId: 'SLAKGATEWRITERAAAAAA',
  secretAccessKey: 'secret-of-gate-writer-0123456789abcdef',
  account: 'writer',
  label: 'writer',
  status: 'active',
};
const READER: AccessKeyConfig = { ...WRITER, accessKeyId: 'SLAKGATEREADERAAAAAA', account: 'reader', label: 'reader' };

async function denied(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, String(error));
    assert.equal(error.$metadata.httpStatusCode, 403);
    return true;
  });
}

describe('the write gate', () => {
  let server: RunningServer;
  let writer: S3Client;
  let reader: S3Client;
  let anonymous: S3Client;
  const outbound: string[] = [];
  const memory = new MemoryBackend();

  before(async () => {
    await memory.put('open/kept.txt', bytesBody('kept'), { metadata: {} });
    // An s3 connection without credentials: it may read public data, never write. Every call it makes is recorded.
    const recording: HttpClient = {
      request: async (req) => {
        outbound.push(`${req.method} ${req.url}`);
        throw new Error('no store here');
      },
    };
    const unsigned = new S3Backend({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'public-data', prefix: '', forcePathStyle: true, http: recording });
    const config = testConfig({
      buckets: [
        bucket('open', { prefix: 'open/' }),
        bucket('frozen', { public: false, prefix: 'frozen/', readOnly: true }),
        bucket('mirror', { public: false, connection: 'upstream' }),
      ],
    });
    config.accounts = [
      { name: 'writer', grants: ['open', 'frozen', 'mirror'].map((b) => ({ bucket: b, actions: ['read', 'write'] as const })) },
      { name: 'reader', grants: [{ bucket: 'open', actions: ['read'] }] },
    ];
    config.accessKeys = [WRITER, READER];
    server = await startServer(config, { backends: new Map<string, Backend>([['main', memory], ['upstream', unsigned]]) });
    writer = signedClient(server.url, WRITER);
    reader = signedClient(server.url, READER);
    anonymous = anonymousClient(server.url);
  });
  after(async () => {
    for (const client of [writer, reader, anonymous]) client.destroy();
    await server.close();
  });

  test('anonymous callers cannot write a public bucket', async () => {
    await denied(anonymous.send(new PutObjectCommand({ Bucket: 'open', Key: 'kept.txt', Body: 'x' })));
    await denied(anonymous.send(new PutObjectCommand({ Bucket: 'open', Key: 'new.txt', Body: 'x', IfNoneMatch: '*' })));
    await denied(anonymous.send(new DeleteObjectCommand({ Bucket: 'open', Key: 'kept.txt' })));
    await denied(anonymous.send(new CopyObjectCommand({ Bucket: 'open', Key: 'copy.txt', CopySource: 'open/kept.txt' })));
    assert.equal((await memory.head('open/kept.txt')).size, 4);
  });

  test('a read grant does not allow a write', async () => {
    await denied(reader.send(new PutObjectCommand({ Bucket: 'open', Key: 'kept.txt', Body: 'x' })));
    await denied(reader.send(new DeleteObjectCommand({ Bucket: 'open', Key: 'kept.txt' })));
    const result = await reader.send(new DeleteObjectsCommand({ Bucket: 'open', Delete: { Objects: [{ Key: 'kept.txt' }] } }));
    assert.equal(result.Errors?.[0]?.Code, 'AccessDenied');
    assert.equal((await memory.head('open/kept.txt')).size, 4);
  });

  test('a read-only bucket refuses writes from a writer', async () => {
    await denied(writer.send(new PutObjectCommand({ Bucket: 'frozen', Key: 'x', Body: 'x' })));
    await denied(writer.send(new CopyObjectCommand({ Bucket: 'frozen', Key: 'x', CopySource: 'open/kept.txt' })));
  });

  test('an s3 connection without credentials refuses every write before calling the store', async () => {
    outbound.length = 0;
    await denied(writer.send(new PutObjectCommand({ Bucket: 'mirror', Key: 'x', Body: 'x' })));
    await denied(writer.send(new PutObjectCommand({ Bucket: 'mirror', Key: 'x', Body: 'x', IfNoneMatch: '*' })));
    await denied(writer.send(new DeleteObjectCommand({ Bucket: 'mirror', Key: 'x' })));
    await denied(writer.send(new CopyObjectCommand({ Bucket: 'mirror', Key: 'x', CopySource: 'open/kept.txt' })));
    const result = await writer.send(new DeleteObjectsCommand({ Bucket: 'mirror', Delete: { Objects: [{ Key: 'x' }, { Key: 'y' }] } }));
    assert.deepEqual(result.Errors?.map((e) => e.Code), ['AccessDenied', 'AccessDenied']);
    assert.deepEqual(outbound, [], 'the store was never called');
  });
});
