/**
 * Upload limits and backend faults as a client sees them through the Node
 * server: an announced size over the limit is refused before the body is
 * read, an aws-chunked upload without its decoded length is refused up
 * front, and a store that dies before the first body byte is a 503 whose
 * cause is in the request's log line but not in the response.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { type RawHttpStore, startRawHttpStore } from '../peers/raw-http-store.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';

const WRITER: AccessKeyConfig = {
  accessKeyId: 'SLAKLIMITSAAAAAAAAAA',
  secretAccessKey: 'limits-secret-0123456789abcdef',
  account: 'research',
  label: 'writer',
  status: 'active',
};

/** Send a signed request's head (and `body`, if any) on a raw socket; resolve with the first answer. */
async function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string; elapsedMs: number }> {
  const url = new URL(path, base);
  const signed = await signRequest(
    { method, url: url.href, headers },
    { accessKeyId: WRITER.accessKeyId, secretAccessKey: WRITER.secretAccessKey },
    { region: 'us-east-1', service: 's3', payloadHash: headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD' },
  );
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let answer = '';
    socket.on('error', reject);
    socket.on('data', (data: Buffer) => {
      answer += data.toString('latin1');
      const end = answer.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(answer)?.[1];
      if (end >= 0 && length !== undefined && answer.length >= end + 4 + Number(length)) {
        socket.destroy();
        resolve({ status: Number(answer.slice(9, 12)), text: answer.slice(end + 4), elapsedMs: Date.now() - started });
      }
    });
    const head = Object.entries(signed).map(([name, value]) => `${name}: ${value}`).join('\r\n');
    socket.write(`${method} ${url.pathname} HTTP/1.1\r\n${head}\r\n\r\n${body}`);
  });
}

describe('upload limits and backend faults through the server', () => {
  let server: RunningServer;
  let store: RawHttpStore;
  const logged: Array<Record<string, unknown>> = [];
  const http = createNodeHttpClient();

  before(async () => {
    store = await startRawHttpStore({ kind: 'headers-then-reset', contentLength: 100 });
    const remote = new S3Backend({
      endpoint: store.endpoint, region: 'us-east-1', bucket: 'store', forcePathStyle: true, prefix: '',
      credentials: { accessKeyId: 'AKIASTORESTORESTORE0', secretAccessKey: 'store-secret' }, http,
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    const config = testConfig({
      buckets: [bucket('big', { public: false, connection: 's3' }), bucket('scratch', { public: false, connection: 'mem' })],
      connections: {
        s3: { type: 's3', name: 's3', endpoint: store.endpoint, region: 'us-east-1', bucket: 'store', forcePathStyle: true, prefix: '', readOnly: false },
        mem: { type: 'memory', name: 'mem', readOnly: false },
      },
      server: { accessLog: true },
    });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'big', actions: ['read', 'write'] }, { bucket: 'scratch', actions: ['read', 'write'] }] }];
    config.accessKeys = [WRITER];
    server = await startServer(config, {
      backends: new Map<string, Backend>([['s3', remote], ['mem', new MemoryBackend({ readOnly: false })]]),
      log: { write: (event) => logged.push(event) },
    });
  });

  after(async () => {
    await server?.close();
    http.close();
    await store?.stop();
  });

  test('a PUT announcing more than 5 GiB is 400 EntityTooLarge at once, without its body', async () => {
    const res = await rawRequest(server.url, 'PUT', '/big/huge.bin', { 'content-length': '5368709121' });
    assert.equal(res.status, 400);
    assert.match(res.text, /<Code>EntityTooLarge<\/Code>/);
    assert.ok(res.elapsedMs < 2000);
    assert.ok(!store.requests.some((r) => r.method === 'PUT'), 'nothing reached the store');
  });

  test('a memory connection refuses objects over its lower default limit', async () => {
    const res = await rawRequest(server.url, 'PUT', '/scratch/big.bin', { 'content-length': String(256 * 1024 * 1024 + 1) });
    assert.equal(res.status, 400);
    assert.match(res.text, /<Code>EntityTooLarge<\/Code>/);
  });

  test('an aws-chunked upload without x-amz-decoded-content-length is refused up front', async () => {
    const res = await rawRequest(server.url, 'PUT', '/scratch/chunked.bin', {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-length': '1000',
    });
    assert.equal(res.status, 411);
    assert.match(res.text, /<Code>MissingContentLength<\/Code>/);
  });

  test('a store that dies after the headers is a 503 with its cause in the log line, not an empty 200', async () => {
    const res = await rawRequest(server.url, 'GET', '/big/object.bin', {});
    assert.equal(res.status, 503);
    assert.match(res.text, /<Code>ServiceUnavailable<\/Code>/);
    assert.doesNotMatch(res.text, /reset|ECONNRESET|127\.0\.0\.1/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logged.find((e) => e['msg'] === 'request' && e['key'] === 'object.bin');
    assert.equal(line?.['status'], 503);
    assert.equal((line?.['cause'] as Record<string, unknown>)['kind'], 'reset');
    assert.equal((line?.['cause'] as Record<string, unknown>)['operation'], 'GetObject');
  });
});
