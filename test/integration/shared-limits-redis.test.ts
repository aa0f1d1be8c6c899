/**
 * Rate limits and quotas shared by two gateway instances through one Redis
 * (Debian's redis-server, started here): a credential's tokens are spent
 * across both, an account's egress quota too, and when Redis dies the
 * instances answer from their own buckets — a warning, never a failed
 * request. Skips, saying why, when redis-server is absent (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import type { SluiceConfig } from '../../src/core/config.ts';
import { startServer, type RunningServer } from '../../src/runtimes/node/server.ts';
import { REDIS_SKIP_REASON, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { signedClient } from '../support/s3-client.ts';
import { RESEARCH_KEY, VISITOR_KEY, failure, memoryWith, operationsConfig } from '../support/operations-fixture.ts';

if (REDIS_SKIP_REASON) console.log(`# skipping the shared limits tests: ${REDIS_SKIP_REASON}`);

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

describe('limits shared through Redis', { skip: REDIS_SKIP_REASON }, () => {
  let redis: RedisServer;
  const servers: RunningServer[] = [];
  const clients: S3Client[] = [];
  const logs: Array<Record<string, unknown>> = [];

  before(async () => {
    redis = await startRedisServer();
    const config: SluiceConfig = operationsConfig({
      policy: { cacheTtlSeconds: 30, redisUrl: redis.url, masterKey: MASTER_KEY },
      limits: { perCredential: { ratePerSecond: 0.01, burst: 4 }, accounts: {}, buckets: {}, shared: true, maxBuckets: 1000 },
      quotas: { period: 'day', accounts: { visitors: { egressBytes: 12 } }, shared: true },
    });
    // One backend for both, as two instances in front of one store.
    const backend = await memoryWith({ 'a.txt': 'alpha', 'eight.bin': '12345678' });
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer(config, { backends: new Map([['main', backend]]), log: { write: (event) => logs.push(event) } }));
    }
    // Until an instance's connection is up it answers from its own buckets; wait for both (and this probe).
    const probe = new Redis(redis.url);
    try {
      for (let i = 0; i < 100; i++) {
        const list = String(await probe.client('LIST'));
        if (list.split('\n').filter((line) => line.trim() !== '').length >= 3) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      probe.disconnect();
    }
  });

  after(async () => {
    for (const c of clients) c.destroy();
    for (const s of servers) await s.close();
    await redis?.stop();
  });

  const client = (i: number, key = RESEARCH_KEY) => {
    const c = signedClient(servers[i]!.url, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
    clients.push(c);
    return c;
  };
  const read = async (c: S3Client, key = 'a.txt') => (await c.send(new GetObjectCommand({ Bucket: 'data', Key: key }))).Body!.transformToString();

  test('a credential spends one set of tokens across both instances', async () => {
    // Four tokens in all: two here, two there — each instance alone would allow four.
    await read(client(0));
    await read(client(1));
    await read(client(0));
    await read(client(1));
    assert.equal((await failure(read(client(0)))).code, 'SlowDown');
    assert.equal((await failure(read(client(1)))).code, 'SlowDown');
  });

  test('an account’s egress quota is counted across both instances', async () => {
    assert.equal(await read(client(0, VISITOR_KEY), 'eight.bin'), '12345678');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await read(client(1, VISITOR_KEY), 'eight.bin'), '12345678');
    await new Promise((r) => setTimeout(r, 100));
    const refused = await failure(read(client(0, VISITOR_KEY), 'eight.bin'));
    assert.equal(refused.code, 'AccessDenied');
    assert.match(refused.message, /egress quota/);
  });

  test('with Redis down the instances answer from their own buckets, with a warning', async () => {
    await redis.kill();
    // The visitor has tokens left locally on each instance; nothing fails for the outage.
    assert.equal(await read(client(0, VISITOR_KEY)), 'alpha');
    assert.equal(await read(client(1, VISITOR_KEY)), 'alpha');
    assert.ok(logs.some((e) => e.level === 'warn' && /rate limits: the shared tier failed/.test(String(e.msg))), 'a warning names the fallback');
  });
});
