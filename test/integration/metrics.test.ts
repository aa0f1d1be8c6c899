/**
 * `/.metrics` through a running gateway: after real requests with the AWS
 * SDK the scrape counts them by operation, status class and caller kind,
 * with bytes, backend latency, policy cache lookups, in-flight requests and
 * open connections; `Server-Timing` carries the backend's share; the route
 * is never answered on a virtual-host bucket name; with `metrics.listen` it
 * moves to a listener of its own.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { anonymousClient } from '../support/s3-client.ts';
import { RESEARCH_KEY, type Running, failure, memoryWith, operationsConfig, runGateway, scrape, seriesValue } from '../support/operations-fixture.ts';

function get(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

describe('metrics through a running gateway', () => {
  let gw: Running;

  before(async () => {
    const config = operationsConfig({
      metrics: { enabled: true, serverTiming: true, bucketLabels: 0 },
      server: { virtualHostDomain: 's3.test' } as never,
    });
    gw = await runGateway(config, await memoryWith({ 'hello.txt': 'hello world' }));
  });
  after(() => gw.close());

  test('requests, bytes, backend calls and cache lookups are counted after real requests', async () => {
    const s3 = gw.client(RESEARCH_KEY);
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'new.bin', Body: 'twelve bytes' }));
    for (let i = 0; i < 2; i++) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'hello.txt' }));
      assert.equal(await got.Body!.transformToString(), 'hello world');
    }
    assert.equal((await failure(s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'missing' })))).status, 404);
    const anon = anonymousClient(gw.server.url);
    await anon.send(new ListObjectsV2Command({ Bucket: 'data' }));
    anon.destroy();

    const text = await scrape(gw.server.url);
    assert.equal(seriesValue(text, 'sluice_requests_total', { operation: 'GetObject', status_class: '2xx', auth: 'access_key' }), 2);
    assert.equal(seriesValue(text, 'sluice_requests_total', { operation: 'GetObject', status_class: '4xx', auth: 'access_key' }), 1);
    assert.equal(seriesValue(text, 'sluice_requests_total', { operation: 'PutObject', status_class: '2xx', auth: 'access_key' }), 1);
    assert.equal(seriesValue(text, 'sluice_requests_total', { operation: 'ListObjectsV2', status_class: '2xx', auth: 'anonymous' }), 1);
    assert.equal(seriesValue(text, 'sluice_response_bytes_total', { operation: 'GetObject' })! >= 22, true);
    assert.equal(seriesValue(text, 'sluice_request_bytes_total', { operation: 'PutObject' }), 12);
    assert.equal(seriesValue(text, 'sluice_request_duration_seconds_count', { operation: 'GetObject' }), 3);
    assert.equal(seriesValue(text, 'sluice_backend_request_duration_seconds_count', { connection: 'main', call: 'get', outcome: 'ok' }), 2);
    assert.equal(seriesValue(text, 'sluice_backend_request_duration_seconds_count', { connection: 'main', call: 'get', outcome: 'error' }), 1);
    assert.equal(seriesValue(text, 'sluice_backend_request_duration_seconds_count', { connection: 'main', call: 'put', outcome: 'ok' }), 1);
    assert.ok(seriesValue(text, 'sluice_cache_requests_total', { cache: 'policy', outcome: 'hit' })! >= 1, 'policy cache hits are reported');
    assert.ok(seriesValue(text, 'sluice_cache_requests_total', { cache: 'policy', outcome: 'miss' })! >= 1, 'policy cache misses are reported');
    // The scrape itself is the one request in flight; its connection is open.
    assert.equal(seriesValue(text, 'sluice_requests_in_flight'), 1);
    assert.ok(seriesValue(text, 'sluice_open_connections')! >= 1);
    // No key or bucket ever becomes a label.
    assert.doesNotMatch(text, /hello\.txt|bucket="/);
  });

  test('Server-Timing names the backend share and the total', async () => {
    const response = await get(gw.server.url, '/data/hello.txt');
    assert.equal(response.status, 200);
    const timing = String(response.headers['server-timing']);
    const match = /^backend;dur=(\d+\.\d), total;dur=(\d+\.\d)$/.exec(timing);
    assert.ok(match, timing);
    assert.ok(Number(match[1]) <= Number(match[2]) + 0.1);
  });

  test('a virtual-host bucket name never answers /.metrics: it is a key in that bucket', async () => {
    const viaBucket = await get(gw.server.url, '/.metrics', { host: 'data.s3.test' });
    assert.equal(viaBucket.status, 404);
    assert.match(viaBucket.body, /<Code>NoSuchKey<\/Code>/);
    const onService = await get(gw.server.url, '/.metrics', { host: 's3.test' });
    assert.equal(onService.status, 200);
    assert.match(onService.body, /# TYPE sluice_requests_total counter/);
  });
});

describe('metrics on a listener of their own', () => {
  test('metrics.listen serves /.metrics there and not on the S3 listener', async () => {
    const config = operationsConfig({ metrics: { enabled: true, serverTiming: false, bucketLabels: 0, listen: '127.0.0.1:0' } });
    const gw = await runGateway(config, await memoryWith({ 'a.txt': 'a' }));
    try {
      assert.ok(gw.server.metricsUrl);
      assert.equal((await get(gw.server.url, '/data/a.txt')).status, 200);
      const s3Side = await get(gw.server.url, '/.metrics');
      assert.notEqual(s3Side.status, 200);
      const text = await scrape(gw.server.metricsUrl);
      assert.equal(seriesValue(text, 'sluice_requests_total', { operation: 'GetObject', status_class: '2xx', auth: 'anonymous' }), 1);
      assert.equal((await get(gw.server.metricsUrl, '/data/a.txt')).status, 404);
    } finally {
      await gw.close();
    }
  });
});

describe('metrics across a configuration reload', () => {
  test('counters carry on through a reload (SIGHUP) rather than starting again from zero; a change of bucket labels starts afresh', async () => {
    const config = operationsConfig({ metrics: { enabled: true, serverTiming: false, bucketLabels: 0 } });
    const gw = await runGateway(config, await memoryWith({ 'a.txt': 'a' }));
    const anonymousGets = async () => seriesValue(await scrape(gw.server.url), 'sluice_requests_total', { operation: 'GetObject', status_class: '2xx', auth: 'anonymous' });
    try {
      for (let i = 0; i < 2; i++) assert.equal((await get(gw.server.url, '/data/a.txt')).status, 200);
      await gw.server.reload({ ...config, server: { ...config.server, shutdownGraceSeconds: 1 } });
      assert.equal((await get(gw.server.url, '/data/a.txt')).status, 200);
      assert.equal(await anonymousGets(), 3, 'the two requests before the reload are still counted');
      assert.ok(seriesValue(await scrape(gw.server.url), 'sluice_open_connections')! >= 1, 'the runtime\'s own series are still there, once');

      await gw.server.reload({ ...config, metrics: { ...config.metrics!, bucketLabels: 5 } });
      assert.equal((await get(gw.server.url, '/data/a.txt')).status, 200);
      assert.equal(seriesValue(await scrape(gw.server.url), 'sluice_requests_total', { operation: 'GetObject', status_class: '2xx', auth: 'anonymous', bucket: 'data' }), 1);
    } finally {
      await gw.close();
    }
  });
});
