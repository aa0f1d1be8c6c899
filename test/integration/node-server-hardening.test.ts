/**
 * The Node server against hostile or unlucky clients over raw sockets:
 * HTTP/0.9, uploads that trickle or stall, clients that hang up, too many
 * connections. Limits are set tiny so each case takes a fraction of a second.
 */
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import type { AccessPolicy } from '../../src/core/access-policy.ts';
import type { Backend } from '../../src/core/backend.ts';
import { BackendUnavailableError } from '../../src/core/backend-errors.ts';
import { bytesBody, readAll, toWebStream } from '../../src/core/body.ts';
import type { ServerConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';

const allowAll: AccessPolicy = { allows: async () => true, canSee: async () => true };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Events {
  all: Record<string, unknown>[];
  /** Resolves with the first event matching `predicate`, past or future. */
  next(predicate: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function recordingLog() {
  const all: Record<string, unknown>[] = [];
  const waiters: { predicate: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  const events: Events = {
    all,
    next: (predicate) => {
      const seen = all.find(predicate);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
  const sink = {
    write(event: Record<string, unknown>) {
      all.push(event);
      for (const w of waiters.splice(0)) if (w.predicate(event)) w.resolve(event);
      else waiters.push(w);
    },
  };
  return { events, sink };
}

async function start(
  t: TestContext,
  server: Partial<ServerConfig>,
  options: { backend?: Backend; writable?: boolean } = {},
): Promise<{ server: RunningServer; events: Events; backend: Backend }> {
  let backend = options.backend;
  if (!backend) {
    const memory = new MemoryBackend({ readOnly: false });
    await memory.put('k', bytesBody('object-bytes'), { metadata: {} });
    backend = memory;
  }
  const { events, sink } = recordingLog();
  const running = await startServer(testConfig({ server: { accessLog: true, shutdownGraceSeconds: 0, ...server }, buckets: [bucket('open-data')] }), {
    backends: new Map([['main', backend]]),
    log: sink,
    ...(options.writable && { gateway: { policy: allowAll } }),
  });
  t.after(() => running.close());
  return { server: running, events, backend };
}

/** A raw connection that records what it receives and when it is closed. */
function rawClient(port: number) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, connected, received: () => received };
}

/** Writes `byte` every `everyMs` until the socket closes; resolves with the count written. */
function trickle(socket: Socket, everyMs: number): () => number {
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) return clearInterval(timer);
    socket.write('x');
    sent++;
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
  return () => sent;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what} did not happen within ${ms} ms` })), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('Node server hardening', () => {
  test('an HTTP/0.9 request is refused without a byte of the object; HTTP/2.0 over HTTP/1 gets 505', async (t) => {
    const { server } = await start(t, {});
    const client = rawClient(server.port);
    client.socket.write('GET /open-data/k\r\n\r\n');
    await within(client.closed, 2000, 'the connection closing');
    assert.equal(client.received(), '');
    // A major version this server does not speak is refused too.
    const two = rawClient(server.port);
    two.socket.write('GET /open-data/k HTTP/2.0\r\nHost: x\r\n\r\n');
    await within(two.closed, 2000, 'the HTTP/2.0 refusal');
    assert.match(two.received(), /^HTTP\/1\.1 505 /);
    assert.doesNotMatch(two.received(), /object-bytes/);
    // HTTP/1.0 is still served.
    const ok = rawClient(server.port);
    ok.socket.write('GET /open-data/k HTTP/1.0\r\n\r\n');
    await within(ok.closed, 2000, 'the HTTP/1.0 response');
    assert.match(ok.received(), /^HTTP\/1\.1 200 [^]*object-bytes$/);
  });

  test('a refusal sent before the upload was read closes the connection while the client still trickles', async (t) => {
    const { server } = await start(t, { bodyIdleTimeoutSeconds: 0, bodyMinBytesPerSecond: 0 });
    const client = rawClient(server.port);
    // Anonymous writes are refused (403) before the body is read.
    client.socket.write('PUT /open-data/new HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc');
    trickle(client.socket, 20);
    await within(client.closed, 3000, 'the server closing the connection');
    assert.match(client.received(), /^HTTP\/1\.1 403 /);
    assert.match(client.received(), /\r\nconnection: close\r\n/i);
  });

  test('a backend failing mid-upload: its error reaches the client, then the connection closes', async (t) => {
    const memory = new MemoryBackend({ readOnly: false });
    const failing: Backend = Object.assign(Object.create(memory) as MemoryBackend, {
      async put(_key: string, body: Parameters<MemoryBackend['put']>[1]) {
        const reader = toWebStream(body).getReader();
        await reader.read();
        await reader.cancel();
        throw new BackendUnavailableError('store went away');
      },
    });
    const { server } = await start(t, { bodyIdleTimeoutSeconds: 0, bodyMinBytesPerSecond: 0 }, { backend: failing, writable: true });
    const client = rawClient(server.port);
    client.socket.write('PUT /open-data/new HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nfirst chunk');
    trickle(client.socket, 20);
    await within(client.closed, 3000, 'the server closing the connection');
    assert.match(client.received(), /^HTTP\/1\.1 503 /);
    assert.match(client.received(), /<Code>ServiceUnavailable<\/Code>/);
    assert.match(client.received(), /\r\nconnection: close\r\n/i);
  });

  test('an upload that stops arriving is cut after the idle timeout, and the core sees the body fail', async (t) => {
    const { server, events } = await start(t, { bodyIdleTimeoutSeconds: 0.2, bodyMinBytesPerSecond: 0 }, { writable: true });
    const client = rawClient(server.port);
    client.socket.write('PUT /open-data/stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nfirst bytes');
    await within(client.closed, 3000, 'the server cutting the upload');
    const cut = await within(events.next((e) => e.msg === 'upload cut'), 1000, 'the cut being logged');
    assert.equal(cut.violation, 'idle');
    const access = await within(events.next((e) => e.msg === 'request'), 1000, 'the access-log line');
    assert.equal(access.error, 'IncompleteBody');
    assert.equal(access.aborted, true);
    assert.equal(events.all.some((e) => e.level === 'error'), false, JSON.stringify(events.all));
  });

  test('an upload slower on average than the floor is cut once the grace period has passed', async (t) => {
    const { server, events } = await start(t, { bodyIdleTimeoutSeconds: 5, bodyMinBytesPerSecond: 1000, bodyMinRateGraceSeconds: 0.3 }, { writable: true });
    const client = rawClient(server.port);
    await client.connected;
    client.socket.write('PUT /open-data/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
    trickle(client.socket, 20); // ≈ 50 bytes/s
    await within(client.closed, 3000, 'the server cutting the upload');
    const cut = await events.next((e) => e.msg === 'upload cut');
    assert.equal(cut.violation, 'too-slow');
  });

  test('a long upload at a steady, healthy rate is not cut', async (t) => {
    const { server, backend } = await start(t, { bodyIdleTimeoutSeconds: 0.2, bodyMinBytesPerSecond: 10_000, bodyMinRateGraceSeconds: 0.2 }, { writable: true });
    const client = rawClient(server.port);
    await client.connected;
    const chunk = 'y'.repeat(4096);
    const chunks = 25; // 100 KiB over ≈ 1.25 s: six times the idle limit, at ≈ 80 KB/s
    client.socket.write(`PUT /open-data/steady HTTP/1.1\r\nHost: x\r\nContent-Length: ${chunk.length * chunks}\r\nConnection: close\r\n\r\n`);
    for (let i = 0; i < chunks; i++) {
      client.socket.write(chunk);
      await sleep(50);
    }
    await within(client.closed, 3000, 'the response');
    assert.match(client.received(), /^HTTP\/1\.1 200 /);
    const stored = await backend.get('steady', {});
    assert.equal((await readAll(stored.body)).byteLength, chunk.length * chunks);
  });

  test('a backend slower than the client does not count against the client', async (t) => {
    const memory = new MemoryBackend({ readOnly: false });
    const slowBackend: Backend = Object.assign(Object.create(memory) as MemoryBackend, {
      async put(...args: Parameters<MemoryBackend['put']>) {
        await sleep(600); // three idle periods before the first byte is read
        return memory.put(...args);
      },
    });
    const { server } = await start(t, { bodyIdleTimeoutSeconds: 0.2, bodyMinBytesPerSecond: 1_000_000, bodyMinRateGraceSeconds: 0.2 }, { backend: slowBackend, writable: true });
    const size = 8 * 1024 * 1024;
    const client = rawClient(server.port);
    client.socket.write(`PUT /open-data/big HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
    client.socket.write(Buffer.alloc(size, 1));
    await within(client.closed, 10_000, 'the response');
    assert.match(client.received(), /^HTTP\/1\.1 200 /);
  });

  test('a client that hangs up mid-upload still gets an access-log line, marked aborted, and no error', async (t) => {
    const { server, events } = await start(t, { bodyIdleTimeoutSeconds: 0, bodyMinBytesPerSecond: 0 }, { writable: true });
    const client = rawClient(server.port);
    await client.connected;
    client.socket.write('PUT /open-data/partial HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nsome');
    await sleep(50);
    client.socket.destroy();
    const access = await within(events.next((e) => e.msg === 'request'), 2000, 'the access-log line');
    assert.equal(access.aborted, true);
    assert.equal(access.op, 'PutObject');
    await sleep(20);
    assert.equal(events.all.some((e) => e.level === 'error'), false, JSON.stringify(events.all));
  });

  test('a client that hangs up before the response is written still gets an access-log line, marked aborted', async (t) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const memory = new MemoryBackend({ readOnly: false });
    await memory.put('k', bytesBody('object-bytes'), { metadata: {} });
    const slow: Backend = Object.assign(Object.create(memory) as MemoryBackend, {
      async get(...args: Parameters<MemoryBackend['get']>) {
        await released;
        return memory.get(...args);
      },
    });
    const { server, events } = await start(t, {}, { backend: slow });
    const client = rawClient(server.port);
    client.socket.write('GET /open-data/k HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(50);
    client.socket.destroy();
    await sleep(20);
    release();
    const access = await within(events.next((e) => e.msg === 'request'), 2000, 'the access-log line');
    assert.deepEqual([access.status, access.bytes, access.aborted], [200, 0, true]);
    assert.equal(events.all.some((e) => e.level === 'error'), false, JSON.stringify(events.all));
  });

  test('connections beyond maxConnections are answered 503 SlowDown and closed; capacity returns when one ends', async (t) => {
    const { server } = await start(t, { maxConnections: 2 });
    const held = [rawClient(server.port), rawClient(server.port)];
    await Promise.all(held.map((c) => c.connected));
    await sleep(20);
    const extra = rawClient(server.port);
    extra.socket.write('GET /open-data/k HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(extra.closed, 3000, 'the refused connection closing');
    assert.match(extra.received(), /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(extra.received(), /<Error><Code>SlowDown<\/Code><Message>Please reduce your request rate\.<\/Message>/);
    assert.doesNotMatch(extra.received(), /object-bytes/);
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await sleep(20);
    const later = rawClient(server.port);
    later.socket.write('GET /open-data/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await within(later.closed, 3000, 'the response');
    assert.match(later.received(), /^HTTP\/1\.1 200 [^]*object-bytes$/);
  });

  test('a connection that never finishes its headers is closed after headersTimeoutSeconds', async (t) => {
    const { server } = await start(t, { headersTimeoutSeconds: 0.3 });
    const silent = rawClient(server.port);
    const slow = rawClient(server.port);
    slow.socket.write('GET /open-data/k HTTP/1.1\r\n');
    const header = setInterval(() => slow.socket.writable && slow.socket.write('x-pad: 1\r\n'), 50);
    t.after(() => clearInterval(header));
    await within(Promise.all([silent.closed, slow.closed]), 3000, 'both connections closing');
    assert.match(slow.received(), /^HTTP\/1\.1 408 /);
  });
});
