/**
 * Metering through a running gateway: one usage record per request with the
 * bytes actually moved — to a JSON-lines file, including a download the
 * client abandoned part-way (counted as far as it was sent, and settled
 * against the account's egress quota), and to an HTTP endpoint in batches.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Backend, ObjectInfo } from '../../src/core/backend.ts';
import type { UsageRecord } from '../../src/core/metering/usage-record.ts';
import { RESEARCH_KEY, memoryWith, operationsConfig, runGateway } from '../support/operations-fixture.ts';

const BIG = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** A memory backend plus `big.bin`: 64 MiB made chunk by chunk as it is read, so an abandoned read stops early. */
async function backendWithBigObject(): Promise<Backend> {
  const memory = await memoryWith({ 'small.txt': 'hello' });
  const info: ObjectInfo = { key: 'big.bin', size: BIG, etag: '"big"', lastModified: new Date(0), metadata: {} };
  return Object.assign(Object.create(memory) as Backend, {
    head: async (key: string, options?: object) => (key === 'big.bin' ? info : memory.head(key, options)),
    get: async (key: string, options?: object) => {
      if (key !== 'big.bin') return memory.get(key, options);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= BIG) return controller.close();
          controller.enqueue(new Uint8Array(CHUNK));
          sent += CHUNK;
        },
      }, { highWaterMark: 0 });
      return { info, body };
    },
  });
}

/** Reads the first bytes of an anonymous GET and hangs up. */
function abandonedDownload(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= 4 * CHUNK) {
          req.destroy();
          resolve(received);
        }
      });
    });
    req.on('error', () => {});
    req.on('close', () => resolve(-1));
    req.end();
    setTimeout(() => reject(new Error('download never started')), 10_000).unref();
  });
}

describe('metering', () => {
  test('a JSON-lines file gets one record per request with the bytes moved, an abandoned download included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-metering-'));
    const path = join(dir, 'usage.jsonl');
    const config = operationsConfig({
      metering: { sink: { type: 'file', path } },
      quotas: { period: 'day', accounts: { research: { egressBytes: 1024 * 1024 * 1024 } }, shared: true },
    });
    const gw = await runGateway(config, await backendWithBigObject());
    try {
      const s3 = gw.client(RESEARCH_KEY);
      await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'ten.bin', Body: '0123456789' }));
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'ten.bin' }))).Body!.transformToString(), '0123456789');
      const received = await abandonedDownload(gw.server.url, '/data/big.bin');
      assert.ok(received > 0);
      // The abandoned response is settled when the server sees the connection close.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await gw.close();
    }
    const records = (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as UsageRecord);
    await rm(dir, { recursive: true, force: true });
    const put = records.find((r) => r.operation === 'PutObject')!;
    assert.deepEqual([put.account, put.accessKeyId, put.bucket, put.method, put.status, put.bytesIn], ['research', RESEARCH_KEY.accessKeyId, 'data', 'PUT', 200, 10]);
    const get = records.find((r) => r.operation === 'GetObject' && r.account === 'research')!;
    assert.deepEqual([get.bucket, get.status, get.bytesIn, get.bytesOut, get.aborted], ['data', 200, 0, 10, undefined]);
    assert.ok(get.durationMs > 0 && !Number.isNaN(Date.parse(get.time)));
    const abandoned = records.find((r) => r.operation === 'GetObject' && r.account === undefined)!;
    assert.equal(abandoned.aborted, true);
    assert.ok(abandoned.bytesOut >= 4 * CHUNK && abandoned.bytesOut < BIG, `bytesOut ${abandoned.bytesOut}`);
    assert.equal(records.length, 3);
  });

  test('an HTTP endpoint gets the records in batches', async () => {
    const batches: UsageRecord[][] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
        assert.equal(req.headers['content-type'], 'application/json');
        assert.equal(req.headers.authorization, 'Bearer metering-token');
        batches.push(JSON.parse(body) as UsageRecord[]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/usage`;
    const config = operationsConfig({
      metering: { sink: { type: 'http', url, headers: { Authorization: 'Bearer metering-token' }, batchSize: 2, flushIntervalMs: 200, maxQueue: 100, maxAttempts: 3 } },
    });
    const gw = await runGateway(config, await memoryWith({ 'a.txt': 'alpha' }));
    try {
      const s3 = gw.client(RESEARCH_KEY);
      for (let i = 0; i < 3; i++) await (await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' }))).Body!.transformToString();
      // Two make a batch at once; the third goes when the interval ends.
      const deadline = Date.now() + 5_000;
      while (batches.flat().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await gw.close();
      collector.close();
    }
    assert.deepEqual(batches.map((b) => b.length), [2, 1]);
    for (const record of batches.flat()) assert.deepEqual([record.operation, record.account, record.bytesOut], ['GetObject', 'research', 5]);
  });
});
