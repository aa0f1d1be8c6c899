/**
 * Upload framing between the gateway and an S3 store, seen from the store's
 * side of the wire: a raw TCP store records every byte it receives, so any
 * surplus upload bytes that became requests of their own on the pooled
 * keep-alive connection would show up as recorded requests.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { type RawHttpStore, startRawHttpStore } from '../peers/raw-http-store.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';

const WRITER: AccessKeyConfig = {
  accessKeyId: 'SLAKFRAMINGAAAAAAAAA',
  secretAccessKey: 'framing-secret-0123456789abcdef',
  account: 'research',
  label: 'writer',
  status: 'active',
};

/** A signed PUT sent byte for byte as given, on a fresh connection. */
async function rawPut(base: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  const signed = await signRequest(
    { method: 'PUT', url: `${base}${path}`, headers },
    { accessKeyId: WRITER.accessKeyId, secretAccessKey: WRITER.secretAccessKey },
    { region: 'us-east-1', service: 's3', payloadHash: headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD' },
  );
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: 'PUT', headers: signed, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('upload framing towards an S3 store', () => {
  let store: RawHttpStore;
  let server: RunningServer;
  const http = createNodeHttpClient();

  before(async () => {
    store = await startRawHttpStore();
    const backend = new S3Backend({
      endpoint: store.endpoint,
      region: 'us-east-1',
      bucket: 'store',
      forcePathStyle: true,
      prefix: '',
      credentials: { accessKeyId: 'AKIASTORESTORESTORE0', secretAccessKey: 'store-secret' },
      http,
    });
    const config = testConfig({ buckets: [bucket('remote', { public: false })] });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'remote', actions: ['read', 'write'] }] }];
    config.accessKeys = [WRITER];
    server = await startServer(config, { backends: new Map([['main', backend]]) });
  });

  after(async () => {
    await server?.close();
    http.close();
    await store?.stop();
  });

  test('a decoded length shorter than the body in UNSIGNED-PAYLOAD mode never smuggles bytes to the store', async () => {
    const smuggled = 'GET /store/smuggled HTTP/1.1\r\nHost: store\r\n\r\n';
    const body = Buffer.from(`hello${smuggled}`);
    const res = await rawPut(server.url, '/remote/victim.txt', {
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-decoded-content-length': '5',
      'content-length': String(body.length),
    }, body);
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /<Code>(InvalidArgument|InvalidRequest)<\/Code>/);
    // Give any smuggled request time to arrive and be recorded.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(!store.requests.some((r) => r.path.includes('smuggled')), 'the surplus bytes never became a request');
    assert.ok(!store.received.some((bytes) => bytes.includes('smuggled')), 'the surplus bytes never reached the store');
  });

  test('a plain PUT still goes through with its exact length', async () => {
    const before = store.requests.length;
    const res = await rawPut(server.url, '/remote/plain.txt', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, Buffer.from('plain body'));
    assert.equal(res.status, 200, res.text);
    const put = store.requests.slice(before).find((r) => r.method === 'PUT');
    assert.equal(put?.headers['content-length'], '10');
    assert.equal(put?.body.toString(), 'plain body');
  });
});
