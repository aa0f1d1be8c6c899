/** Tests for the HTTP metering sink: batching, a bounded queue that drops and counts instead of waiting, retries with backoff, and background delivery. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesBody, readAll } from '../body.ts';
import type { HttpClient, OutboundRequest } from '../http.ts';
import { createHttpBatchSink } from './http-batch-sink.ts';
import type { UsageRecord } from './usage-record.ts';

const record = (n: number): UsageRecord => ({ time: '2026-01-01T00:00:00.000Z', requestId: `R${n}`, operation: 'GetObject', method: 'GET', status: 200, bytesIn: 0, bytesOut: n, durationMs: 1 });

/** An in-memory HttpClient answering each request with the next status. */
function fakeHttp(statuses: number[]): HttpClient & { bodies: UsageRecord[][]; requests: OutboundRequest[] } {
  const bodies: UsageRecord[][] = [];
  const requests: OutboundRequest[] = [];
  return {
    bodies,
    requests,
    async request(req) {
      requests.push(req);
      const status = statuses.shift() ?? 200;
      if (status === 0) throw new Error('connection refused');
      bodies.push(JSON.parse(new TextDecoder().decode(await readAll(req.body!))) as UsageRecord[]);
      return { status, headers: {}, body: bytesBody('') };
    },
  };
}

const base = { url: 'http://127.0.0.1:1/usage', flushIntervalMs: 60_000, maxAttempts: 3, log: { write: () => {} }, sleep: async () => {} };

describe('HTTP metering sink', () => {
  test('records go in batches of batchSize, as one JSON array each', async () => {
    const http = fakeHttp([]);
    const sink = createHttpBatchSink({ ...base, batchSize: 2, maxQueue: 100, http: () => http });
    for (let i = 1; i <= 5; i++) sink.write(record(i));
    await sink.flush!();
    assert.deepEqual(http.bodies.map((b) => b.map((r) => r.bytesOut)), [[1, 2], [3, 4], [5]]);
    assert.equal(http.requests[0]!.headers['content-type'], 'application/json');
  });

  test('a full queue drops and counts new records instead of waiting', async () => {
    const dropped: number[] = [];
    const http = fakeHttp([]);
    const sink = createHttpBatchSink({ ...base, batchSize: 100, maxQueue: 3, http: () => http, onDrop: (n) => dropped.push(n) });
    for (let i = 1; i <= 5; i++) sink.write(record(i));
    assert.deepEqual(dropped, [1, 1]);
    await sink.close!();
    assert.deepEqual(http.bodies.flat().map((r) => r.bytesOut), [1, 2, 3]);
  });

  test('failures are retried with backoff; a batch that never gets through is dropped and counted', async () => {
    const waits: number[] = [];
    const dropped: number[] = [];
    const http = fakeHttp([0, 503, 200, 500, 500, 500]);
    const sink = createHttpBatchSink({ ...base, batchSize: 1, maxQueue: 10, http: () => http, onDrop: (n) => dropped.push(n), sleep: async (ms) => void waits.push(ms) });
    sink.write(record(1));
    await sink.flush!();
    assert.equal(http.requests.length, 3, 'refused, 503, then delivered');
    assert.deepEqual(waits, [200, 400]);
    sink.write(record(2));
    await sink.flush!();
    assert.deepEqual(dropped, [1]);
    // A 4xx other than 408/429 is not retried.
    const once = fakeHttp([400]);
    const plain = createHttpBatchSink({ ...base, batchSize: 1, maxQueue: 10, http: () => once, onDrop: (n) => dropped.push(n) });
    plain.write(record(3));
    await plain.flush!();
    assert.equal(once.requests.length, 1);
    assert.deepEqual(dropped, [1, 1]);
  });

  test('deliveries are handed to waitUntil, and a partial batch is sent when the interval ends', async () => {
    const background: Array<Promise<unknown>> = [];
    const http = fakeHttp([]);
    const sink = createHttpBatchSink({ ...base, flushIntervalMs: 20, batchSize: 10, maxQueue: 10, http: () => http, waitUntil: (p) => background.push(p) });
    sink.write(record(1));
    assert.equal(background.length, 1, 'the timer is kept alive');
    // The sink's timer is unref'd (it never holds a Node process open): hold the loop open while waiting on it.
    const keepLoop = setTimeout(() => {}, 5_000);
    await background[0];
    clearTimeout(keepLoop);
    await Promise.all(background.slice(1));
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(http.bodies, [[record(1)]]);
  });
});
