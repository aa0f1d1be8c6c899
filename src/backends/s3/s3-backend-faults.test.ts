/**
 * The S3 backend against stores that misbehave on the wire, over the Node
 * HTTP client: a store that dies after the response headers, a blackholed
 * store (accepts connections, never answers) behind the circuit breaker, the
 * request deadline, and the cause each failure leaves for the log.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { BackendUnavailableError } from '../../core/backend-errors.ts';
import { readAll } from '../../core/body.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { type RawHttpStore, startRawHttpStore } from '../../../test/peers/raw-http-store.ts';
import { resolveS3Options, S3_DEFAULTS, type S3BackendOptions } from './options.ts';
import { S3Backend } from './s3-backend.ts';

type TestContext = { after(fn: () => unknown): void };

async function store(t: TestContext, ...args: Parameters<typeof startRawHttpStore>): Promise<RawHttpStore> {
  const s = await startRawHttpStore(...args);
  t.after(() => s.stop());
  return s;
}

function backendFor(t: TestContext, endpoint: string, overrides: Partial<S3BackendOptions> = {}): S3Backend {
  const http = createNodeHttpClient();
  t.after(() => http.close());
  return new S3Backend({
    endpoint,
    region: 'us-east-1',
    bucket: 'data',
    forcePathStyle: true,
    prefix: '',
    credentials: { accessKeyId: 'AKIAFAULTSFAULTS0000', secretAccessKey: 'faults-secret' },
    http,
    retry: { attempts: 3, baseDelayMs: 1 },
    ...overrides,
  });
}

const causeOf = (err: unknown) => (err as BackendUnavailableError).cause as Record<string, unknown>;

test('a store that resets after the headers is retried, and reported unavailable rather than as an empty object', async (t) => {
  const s = await store(t, { kind: 'headers-then-reset', contentLength: 10 });
  const b = backendFor(t, s.endpoint);
  await assert.rejects(b.get('k'), (err: unknown) => {
    assert.ok(err instanceof BackendUnavailableError);
    assert.equal(causeOf(err)['kind'], 'reset');
    assert.equal(causeOf(err)['attempts'], 3);
    return true;
  });
  assert.equal(s.requests.filter((r) => r.method === 'GET').length, 3, 'an idempotent GET is retried');
});

test('a GET whose first try dies before the first byte succeeds on the retry, body intact', async (t) => {
  const s = await store(t, {
    kind: 'script',
    next: (_req, index) => (index === 0 ? { kind: 'headers-then-reset', contentLength: 11 } : { kind: 'ok', body: 'hello world' }),
  });
  const got = await backendFor(t, s.endpoint).get('k');
  assert.equal(new TextDecoder().decode(await readAll(got.body)), 'hello world');
  assert.equal(s.requests.length, 2);
});

test('the circuit breaker turns many requests to a blackholed store into one timeout, then recovers after one cool-down', async (t) => {
  const s = await store(t, { kind: 'blackhole' });
  const events: Array<Record<string, unknown>> = [];
  const b = backendFor(t, s.endpoint, {
    name: 'blackholed',
    responseTimeoutMs: 200,
    retry: { attempts: 1 },
    circuitBreaker: { failureThreshold: 1, coolDownMs: 400 },
    log: { write: (event) => events.push(event) },
  });
  let started = Date.now();
  await assert.rejects(b.head('k'), (err: unknown) => err instanceof BackendUnavailableError && causeOf(err)['kind'] === 'timeout');
  assert.ok(Date.now() - started >= 190, 'the first request waits out its timeout');
  assert.equal(b.circuitState()?.state, 'open');

  started = Date.now();
  for (let i = 0; i < 10; i++) {
    await assert.rejects(b.get(`k${i}`), (err: unknown) => {
      assert.ok(err instanceof BackendUnavailableError);
      assert.equal(causeOf(err)['kind'], 'circuit-open');
      assert.ok(err.retryAfterSeconds !== undefined && err.retryAfterSeconds >= 1);
      return true;
    });
  }
  assert.ok(Date.now() - started < 150, `ten requests failed fast (${Date.now() - started} ms)`);
  assert.equal(s.requests.length, 1, 'only the first request reached the store');

  // The store comes back; after one cool-down a probe goes through and closes the circuit.
  s.behave({ kind: 'ok' });
  await new Promise((resolve) => setTimeout(resolve, 450));
  assert.equal((await b.head('k')).etag, '"0123456789abcdef0123456789abcdef"');
  assert.equal(b.circuitState()?.state, 'closed');
  assert.deepEqual(events.map((e) => `${e['from']}->${e['to']}`), ['closed->open', 'open->half-open', 'half-open->closed']);
  assert.ok(events.every((e) => e['connection'] === 'blackholed' && e['msg'] === 'backend circuit breaker'));
});

test('a failed probe opens the circuit for another cool-down; a read-only view shares the breaker', async (t) => {
  const s = await store(t, { kind: 'blackhole' });
  const b = backendFor(t, s.endpoint, { responseTimeoutMs: 100, retry: { attempts: 1 }, circuitBreaker: { failureThreshold: 2, coolDownMs: 200 } });
  const view = b.readOnlyView();
  await assert.rejects(b.head('a'));
  assert.equal(b.circuitState()?.state, 'closed', 'one failure is below the threshold');
  await assert.rejects(view.head('b'));
  assert.equal(b.circuitState()?.state, 'open', 'the view counted against the same breaker');
  await new Promise((resolve) => setTimeout(resolve, 220));
  await assert.rejects(b.head('probe'), (err: unknown) => causeOf(err)['kind'] === 'timeout');
  assert.equal(view.circuitState()?.state, 'open');
  assert.equal(s.requests.length, 3);
});

test('retries stop at the request deadline, with the last try cut to what is left', async (t) => {
  const s = await store(t, { kind: 'blackhole' });
  const b = backendFor(t, s.endpoint, { responseTimeoutMs: 150, retry: { attempts: 10, baseDelayMs: 1, deadlineMs: 400 }, circuitBreaker: false });
  const started = Date.now();
  await assert.rejects(b.head('k'), BackendUnavailableError);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 380 && elapsed < 700, `gave up at the deadline (${elapsed} ms)`);
  assert.ok(s.requests.length <= 3, `${s.requests.length} tries`);
});

test('each failure leaves its kind in the cause: refused, and the store\'s own 5xx with its request id', async (t) => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await assert.rejects(backendFor(t, `http://127.0.0.1:${port}`).head('k'), (err: unknown) => causeOf(err)['kind'] === 'refused');

  const failing = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      const xml = '<Error><Code>InternalError</Code><Message>boom</Message><RequestId>STORE-REQ-1</RequestId></Error>';
      socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Length: ${xml.length}\r\nConnection: close\r\n\r\n${xml}`);
    });
  });
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => failing.close(() => resolve())));
  const endpoint = `http://127.0.0.1:${(failing.address() as net.AddressInfo).port}`;
  await assert.rejects(backendFor(t, endpoint, { retry: { attempts: 1 } }).get('k'), (err: unknown) => {
    const cause = causeOf(err);
    assert.equal(cause['kind'], 'status');
    assert.equal(cause['status'], 500);
    assert.equal(cause['requestId'], 'STORE-REQ-1');
    return true;
  });
});

test('connection timeouts, retries and the breaker have documented defaults and are validated', () => {
  const base = { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', bucket: 'b', forcePathStyle: true, prefix: '', http: createNodeHttpClient() };
  const resolved = resolveS3Options(base);
  assert.equal(resolved.connectTimeoutMs, 3_000);
  assert.equal(resolved.responseTimeoutMs, 10_000);
  assert.equal(resolved.idleTimeoutMs, 20_000);
  assert.equal(resolved.attempts, 3);
  assert.equal(resolved.deadlineMs, 25_000);
  assert.deepEqual(resolved.circuitBreaker, { failureThreshold: 5, coolDownMs: 30_000, affectsReadiness: false });
  // A blackholed store: every try waits out its response timeout, the deadline caps the total.
  assert.ok(S3_DEFAULTS.retryDeadlineMs + S3_DEFAULTS.connectTimeoutMs <= 30_000);
  assert.throws(
    () => resolveS3Options({ ...base, connectTimeoutMs: 0, responseTimeoutMs: 1.5, idleTimeoutMs: -1, retry: { deadlineMs: 0 }, circuitBreaker: { failureThreshold: 0 } }),
    (err: unknown) => err instanceof TypeError && ['connectTimeoutMs', 'responseTimeoutMs', 'idleTimeoutMs', 'retry.deadlineMs', 'circuitBreaker.failureThreshold'].every((name) => err.message.includes(name)),
  );
});
