/**
 * Rate limits and quotas through a running gateway: an abusive credential
 * gets 503 SlowDown with Retry-After while another is unaffected; anonymous
 * callers are limited per client address, and `X-Forwarded-For` counts only
 * from a trusted proxy (its right-most untrusted hop); an account's egress
 * and request quotas run out mid-period with 403 AccessDenied saying so.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { RESEARCH_KEY, VISITOR_KEY, failure, memoryWith, operationsConfig, runGateway, scrape, seriesValue } from '../support/operations-fixture.ts';

const rule = (ratePerSecond: number, burst: number) => ({ ratePerSecond, burst });
const limits = (over: Record<string, unknown>) => ({ accounts: {}, buckets: {}, shared: true, maxBuckets: 1000, ...over });

async function anonymousGet(url: string, forwardedFor?: string): Promise<{ status: number; retryAfter: string | null; body: string }> {
  const response = await fetch(`${url}/data/a.txt`, { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() };
}

describe('rate limits', () => {
  test('an abusive credential gets SlowDown while another identity is unaffected', async () => {
    const config = operationsConfig({ limits: limits({ perCredential: rule(0.01, 3) }) as never, metrics: { enabled: true, serverTiming: false, bucketLabels: 0 } });
    const gw = await runGateway(config, await memoryWith({ 'a.txt': 'alpha' }));
    try {
      const abusive = gw.client(RESEARCH_KEY);
      const polite = gw.client(VISITOR_KEY);
      for (let i = 0; i < 3; i++) await (await abusive.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' }))).Body!.transformToString();
      const refused = await failure(abusive.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' })));
      assert.deepEqual([refused.code, refused.status], ['SlowDown', 503]);
      const other = await polite.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' }));
      assert.equal(await other.Body!.transformToString(), 'alpha');
      const text = await scrape(gw.server.url);
      assert.equal(seriesValue(text, 'sluice_rate_limit_refusals_total', { scope: 'credential' }), 1);
      assert.equal(seriesValue(text, 'sluice_requests_total', { operation: 'GetObject', status_class: '5xx', auth: 'access_key' }), 1);
    } finally {
      await gw.close();
    }
  });

  test('a per-account override and a per-bucket limit apply on top of the defaults', async () => {
    const config = operationsConfig({
      limits: limits({ perCredential: rule(100, 100), accounts: { visitors: { perAccount: rule(0.01, 1) } } }) as never,
    });
    const gw = await runGateway(config, await memoryWith({ 'a.txt': 'alpha' }));
    try {
      const visitor = gw.client(VISITOR_KEY);
      await (await visitor.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' }))).Body!.transformToString();
      assert.equal((await failure(visitor.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' })))).code, 'SlowDown');
      // research has no override: its default of 100/s is far away.
      for (let i = 0; i < 3; i++) await (await gw.client(RESEARCH_KEY).send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' }))).Body!.transformToString();
    } finally {
      await gw.close();
    }
  });

  test('anonymous callers are limited per address; X-Forwarded-For counts only from a trusted proxy', async () => {
    const config = operationsConfig({ server: { trustedProxies: ['127.0.0.1/32', '::1'] } as never, limits: limits({ perAnonymousIp: rule(0.01, 2) }) as never });
    const gw = await runGateway(config, await memoryWith({ 'a.txt': 'alpha' }));
    try {
      const url = gw.server.url;
      assert.equal((await anonymousGet(url, '198.51.100.7')).status, 200);
      // The left hop is the client's own writing; the right-most untrusted one is the client.
      assert.equal((await anonymousGet(url, '203.0.113.250, 198.51.100.7')).status, 200);
      const refused = await anonymousGet(url, '192.0.2.1, 198.51.100.7');
      assert.equal(refused.status, 503);
      assert.match(refused.body, /<Code>SlowDown<\/Code>/);
      assert.ok(Number(refused.retryAfter) >= 1, `Retry-After: ${refused.retryAfter}`);
      // Another client behind the same proxy is unaffected.
      assert.equal((await anonymousGet(url, '198.51.100.8')).status, 200);
      // A trusted proxy's own hop is skipped: the client is left of it.
      assert.equal((await anonymousGet(url, '198.51.100.9, 127.0.0.1')).status, 200);
      assert.equal((await anonymousGet(url, '198.51.100.9, 127.0.0.1')).status, 200);
      assert.equal((await anonymousGet(url, '198.51.100.9, 127.0.0.1')).status, 503);
    } finally {
      await gw.close();
    }
  });

  test('without trusted proxies X-Forwarded-For is ignored: the socket peer is the client', async () => {
    const config = operationsConfig({ limits: limits({ perAnonymousIp: rule(0.01, 2) }) as never });
    const gw = await runGateway(config, await memoryWith({ 'a.txt': 'alpha' }));
    try {
      assert.equal((await anonymousGet(gw.server.url, '198.51.100.1')).status, 200);
      assert.equal((await anonymousGet(gw.server.url, '198.51.100.2')).status, 200);
      assert.equal((await anonymousGet(gw.server.url, '198.51.100.3')).status, 503);
    } finally {
      await gw.close();
    }
  });
});

describe('quotas', () => {
  test('an egress quota runs out mid-period: the next GET is refused before it streams, and other accounts go on', async () => {
    const config = operationsConfig({
      quotas: { period: 'day', accounts: { research: { egressBytes: 10 } }, shared: true },
      metrics: { enabled: true, serverTiming: false, bucketLabels: 0 },
    });
    const gw = await runGateway(config, await memoryWith({ 'eight.bin': '12345678' }));
    try {
      const research = gw.client(RESEARCH_KEY);
      const read = async () => (await research.send(new GetObjectCommand({ Bucket: 'data', Key: 'eight.bin' }))).Body!.transformToString();
      assert.equal(await read(), '12345678');
      // 8 of 10 bytes used: one more GET may start, and settles 16.
      assert.equal(await read(), '12345678');
      const refused = await failure(read());
      assert.deepEqual([refused.code, refused.status], ['AccessDenied', 403]);
      assert.match(refused.message, /egress quota \(10 bytes\) of account research is exhausted for this period; it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
      const visitor = await gw.client(VISITOR_KEY).send(new GetObjectCommand({ Bucket: 'data', Key: 'eight.bin' }));
      assert.equal(await visitor.Body!.transformToString(), '12345678');
      assert.equal(seriesValue(await scrape(gw.server.url), 'sluice_quota_refusals_total', { quota: 'egress' }), 1);
    } finally {
      await gw.close();
    }
  });

  test('a request quota (the default for every account) refuses once spent', async () => {
    const config = operationsConfig({ quotas: { period: 'month', default: { requests: 2 }, accounts: {}, shared: true } });
    const gw = await runGateway(config, await memoryWith({ 'a.txt': 'alpha' }));
    try {
      const visitor = gw.client(VISITOR_KEY);
      for (let i = 0; i < 2; i++) await (await visitor.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' }))).Body!.transformToString();
      const refused = await failure(visitor.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' })));
      assert.equal(refused.code, 'AccessDenied');
      assert.match(refused.message, /request quota \(2 requests\) of account visitors is exhausted/);
      // Anonymous callers belong to no account.
      assert.equal((await anonymousGet(gw.server.url)).status, 200);
    } finally {
      await gw.close();
    }
  });
});
