/**
 * S3 backend retries with backoff, connection failures, response timeouts,
 * the caller's abort and failing credential providers, against a scripted
 * HttpClient (and a closed loopback port).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpTimeoutError } from '../../core/http-errors.ts';
import net from 'node:net';
import {
  BackendUnavailableError,
} from '../../core/backend-errors.ts';
import type { OutboundRequest, OutboundResponse } from '../../core/http.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { backend, errorXml, objectHeaders, scriptedHttp, SECRET } from './s3-test-doubles.test-helper.ts';

test('5xx and SlowDown are retried with growing backoff, then succeed', async () => {
  const http = scriptedHttp([
    { status: 500, body: errorXml('InternalError') },
    { status: 503, body: errorXml('SlowDown') },
    { status: 200, headers: objectHeaders },
  ]);
  const { backend: b, sleeps } = backend(http);
  const info = await b.head('k');
  assert.equal(info.etag, '"e1"');
  assert.equal(http.requests.length, 3);
  // random() = 0.5 of a ceiling of 100 × 2^(retry−1).
  assert.deepEqual(sleeps, [50, 100]);
});

test('5xx on every try becomes BackendUnavailableError with the detail in cause and no secrets', async () => {
  const http = scriptedHttp([
    { status: 500, body: errorXml('InternalError') },
    { status: 502 },
    { status: 503, body: errorXml('SlowDown') },
  ]);
  const { backend: b } = backend(http);
  await assert.rejects(b.get('k'), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.equal(err.message, 'storage backend unavailable');
    const cause = err.cause as Record<string, unknown>;
    assert.equal(cause['operation'], 'GetObject');
    assert.equal(cause['attempts'], 3);
    assert.equal(cause['status'], 503);
    assert.equal(cause['code'], 'SlowDown');
    const dump = JSON.stringify(cause);
    assert.ok(!dump.includes(SECRET) && !dump.includes('sig-of') && !dump.includes('AKID'), dump);
    return true;
  });
  assert.equal(http.requests.length, 3);
});

test('connection errors are retried; a closed port ends as BackendUnavailableError', async (t) => {
  const flaky = scriptedHttp([Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { status: 200, headers: objectHeaders }]);
  assert.equal((await backend(flaky).backend.head('k')).size, 5);

  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const http = createNodeHttpClient();
  t.after(() => http.close());
  const { backend: b, sleeps } = backend(http, { endpoint: `http://127.0.0.1:${port}` });
  await assert.rejects(b.list({ prefix: '', maxKeys: 10 }), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.match(String((err.cause as { error: string }).error), /ECONNREFUSED/);
    return true;
  });
  assert.equal(sleeps.length, 2);
});

test('a response that does not arrive in time is retried, then reported unavailable', async () => {
  let tries = 0;
  // As every HttpClient does, the script enforces the request's response limit.
  const hang = (req: OutboundRequest) =>
    new Promise<OutboundResponse>((_resolve, reject) => {
      tries++;
      const ms = req.timeouts!.responseMs!;
      setTimeout(() => reject(new HttpTimeoutError('response', ms)), ms);
    });
  const { backend: b } = backend(scriptedHttp([hang, hang]), { responseTimeoutMs: 30, retry: { attempts: 2 } });
  await assert.rejects(b.head('k'), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.match(String((err.cause as { error: string }).error), /HttpTimeoutError: no response within 30 ms/);
    return true;
  });
  assert.equal(tries, 2);
});

test("the caller's abort rejects with its reason and is not retried", async () => {
  const controller = new AbortController();
  const hang = (req: OutboundRequest) =>
    new Promise<OutboundResponse>((_resolve, reject) => {
      req.signal!.addEventListener('abort', () => reject(req.signal!.reason));
      // The request is out and waiting for its answer: the client goes away now.
      controller.abort(new Error('client went away'));
    });
  const http = scriptedHttp([hang]);
  await assert.rejects(backend(http).backend.get('k', { signal: controller.signal }), /client went away/);
  assert.equal(http.requests.length, 1);
});

test('a failing credentials provider is reported as unavailable credentials, without sending anything', async () => {
  const http = scriptedHttp([]);
  const { backend: b } = backend(http, {
    credentials: async () => {
      throw new Error('token exchange refused');
    },
  });
  await assert.rejects(b.head('k'), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.equal(err.message, 'storage backend credentials unavailable');
    assert.match(String((err.cause as { error: string }).error), /token exchange refused/);
    return true;
  });
  assert.equal(http.requests.length, 0);
});
