/** Tests for the `node:http` HttpClient: streaming both ways, keep-alive, timeouts, abort. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { createNodeHttpClient, HttpTimeoutError, type NodeHttpClient } from './http-client.ts';
import { RuntimeBody, bytesBody, readAll } from '../../core/body.ts';
import { ContentLengthMismatchError, ResponseBodyStartError } from '../../core/http-errors.ts';
import { startRawHttpStore } from '../../../test/peers/raw-http-store.ts';

type TestContext = { after(fn: () => unknown): void };

async function startServer(t: TestContext, handler: http.RequestListener): Promise<{ base: string; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as net.AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port };
}

function client(t: TestContext, options?: Parameters<typeof createNodeHttpClient>[0]): NodeHttpClient {
  const c = createNodeHttpClient(options);
  t.after(() => c.close());
  return c;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test('node client returns the IncomingMessage as a RuntimeBody with lower-cased, joined headers', async (t) => {
  const { base } = await startServer(t, (req, res) => {
    res.setHeader('X-Url', req.url ?? '');
    res.setHeader('X-Multi', ['a', 'b']);
    res.end('hello');
  });
  const res = await client(t).request({ method: 'GET', url: `${base}/bucket/key?x=1`, headers: {} });
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-url'], '/bucket/key?x=1');
  assert.equal(res.headers['x-multi'], 'a, b');
  assert.ok(res.body instanceof RuntimeBody);
  assert.ok(res.body.native instanceof http.IncomingMessage);
  assert.equal(text(await readAll(res.body)), 'hello');
});

test('node client sends the path verbatim, without folding dot segments', async (t) => {
  const { base } = await startServer(t, (req, res) => res.end(req.url));
  const res = await client(t).request({ method: 'GET', url: `${base}/bucket/a/../b/./%2E%2E/c`, headers: {} });
  assert.equal(text(await readAll(res.body)), '/bucket/a/../b/./%2E%2E/c');
});

test('node client pipes a Node Readable request body', async (t) => {
  const { base } = await startServer(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(`${req.headers['content-length']}:${Buffer.concat(chunks).toString()}`));
  });
  const source = Readable.from([Buffer.from('abc'), Buffer.from('def')]);
  const body = new RuntimeBody(source, () => {
    throw new Error('the Web view must not be used for a Node stream');
  });
  const res = await client(t).request({ method: 'PUT', url: `${base}/k`, headers: { 'content-length': '6' }, body });
  assert.equal(text(await readAll(res.body)), '6:abcdef');
});

test('node client fails the request when a piped Node source errors', async (t) => {
  const { base } = await startServer(t, (req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.end('complete'));
  });
  const source = new Readable({
    read() {
      this.push(Buffer.from('partial'));
      this.destroy(new Error('disk read failed'));
    },
  });
  await assert.rejects(
    client(t).request({ method: 'PUT', url: `${base}/k`, headers: { 'content-length': '100' }, body: new RuntimeBody(source, () => bytesBody('')) }),
    /disk read failed/,
  );
});

test('node client writes a Web stream body honouring backpressure', async (t) => {
  const chunkSize = 64 * 1024;
  const totalChunks = 512; // 32 MiB offered
  let pulled = 0;
  let resumeServer!: () => void;
  const serverMayRead = new Promise<void>((resolve) => (resumeServer = resolve));
  const { base } = await startServer(t, async (req, res) => {
    await serverMayRead;
    let received = 0;
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => res.end(String(received)));
  });
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === totalChunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(chunkSize));
    },
  });
  const pending = client(t).request({
    method: 'PUT',
    url: `${base}/k`,
    headers: { 'content-length': String(chunkSize * totalChunks) },
    body,
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  // While the server does not read, only socket buffers' worth may be pulled, not the whole body.
  assert.ok(pulled * chunkSize < 16 * 1024 * 1024, `pulled ${pulled} chunks before the server read anything`);
  resumeServer();
  const res = await pending;
  assert.equal(text(await readAll(res.body)), String(chunkSize * totalChunks));
  assert.equal(pulled, totalChunks);
});

test('node client reuses keep-alive connections', async (t) => {
  const { base } = await startServer(t, (req, res) => res.end(String(req.socket.remotePort)));
  const c = client(t);
  const first = text(await readAll((await c.request({ method: 'GET', url: `${base}/1`, headers: {} })).body));
  const second = text(await readAll((await c.request({ method: 'GET', url: `${base}/2`, headers: {} })).body));
  assert.equal(first, second);
});

test('node client drops pooled connections unused for keepAliveMs, without failing later requests', async (t) => {
  const { base } = await startServer(t, (req, res) => res.end(String(req.socket.remotePort)));
  const c = client(t, { keepAliveMs: 100, idleTimeoutMs: 50 });
  const port = async () => text(await readAll((await c.request({ method: 'GET', url: `${base}/`, headers: {} })).body));
  const first = await port();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await port(), first, 'reused while fresh');
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.notEqual(await port(), first, 'replaced after sitting idle in the pool');
});

test('node client rejects with a connection error for a closed port', async (t) => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await assert.rejects(client(t).request({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} }), { code: 'ECONNREFUSED' });
});

/**
 * A loopback listener whose accept queue is full, so new connections hang in
 * the handshake. Node accepts eagerly, so a Python socket that never accepts holds it.
 */
async function startBlackholeListener(t: TestContext): Promise<number | undefined> {
  const py = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const port = await new Promise<number | undefined>((resolve) => {
    py.once('error', () => resolve(undefined));
    py.stdout.once('data', (d) => resolve(Number(String(d).trim())));
  });
  const fillers: net.Socket[] = [];
  t.after(() => {
    fillers.forEach((s) => s.destroy());
    py.kill();
  });
  if (port === undefined) return undefined;
  // Fill the backlog; the first connection completes, later SYNs are dropped.
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
  }
  await once(fillers[0]!, 'connect');
  return port;
}

test('node client reports a connect timeout as HttpTimeoutError', async (t) => {
  const port = await startBlackholeListener(t);
  if (port === undefined) return t.skip('python3 is not available to hold a non-accepting listener');
  const started = Date.now();
  await assert.rejects(
    client(t, { connectTimeoutMs: 150 }).request({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} }),
    (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'connect',
  );
  assert.ok(Date.now() - started < 2000);
});

test('node client reports a server that never answers as a response timeout', async (t) => {
  const { base } = await startServer(t, () => {
    /* never answers */
  });
  await assert.rejects(
    client(t, { idleTimeoutMs: 100 }).request({ method: 'GET', url: `${base}/`, headers: {} }),
    (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'response',
  );
  await assert.rejects(
    client(t).request({ method: 'GET', url: `${base}/`, headers: {}, timeouts: { responseMs: 80 } }),
    (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'response' && err.timeoutMs === 80,
  );
});

test('node client fails the response body with an idle timeout when the server stalls mid-body', async (t) => {
  const { base } = await startServer(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '10' });
    res.write('abc'); // then nothing more
  });
  const res = await client(t, { idleTimeoutMs: 100 }).request({ method: 'GET', url: `${base}/`, headers: {} });
  await assert.rejects(readAll(res.body), (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'idle');
});

test('node client destroys the request when the signal aborts, before and after the response', { timeout: 10_000 }, async (t) => {
  const arrived = new Map<string, () => void>();
  const socketsClosed: Promise<void>[] = [];
  const requestArrived = (path: string) => new Promise<void>((resolve) => arrived.set(path, resolve));
  const waiting = requestArrived('/wait');
  const { base } = await startServer(t, (req, res) => {
    // The client resets aborted connections: the server's socket may see ECONNRESET before 'close'.
    req.socket.on('error', () => {});
    socketsClosed.push(new Promise<void>((resolve) => req.socket.once('close', () => resolve())));
    if (req.url === '/stream') {
      res.writeHead(200);
      res.write('start');
    }
    arrived.get(req.url!)?.();
  });
  const c = client(t);
  const controller = new AbortController();
  const pending = c.request({ method: 'GET', url: `${base}/wait`, headers: {}, signal: controller.signal });
  await waiting;
  controller.abort(new Error('client left'));
  await assert.rejects(pending, /client left/);

  const streaming = new AbortController();
  const res = await c.request({ method: 'GET', url: `${base}/stream`, headers: {}, signal: streaming.signal });
  const reader = (res.body instanceof RuntimeBody ? res.body.toWeb() : res.body).getReader();
  assert.equal(text((await reader.read()).value!), 'start');
  const reading = reader.read();
  streaming.abort(new Error('client left mid-body'));
  await assert.rejects(reading, /client left mid-body/);
  // Both requests' connections close: the test times out if either stays open.
  assert.equal(socketsClosed.length, 2);
  await Promise.all(socketsClosed);
});

test('node client rejects at once for an already aborted signal', async (t) => {
  await assert.rejects(
    client(t).request({ method: 'GET', url: 'http://127.0.0.1:9/', headers: {}, signal: AbortSignal.abort(new Error('gone')) }),
    /gone/,
  );
});

test('disposing a response body releases the connection without reading it', { timeout: 10_000 }, async (t) => {
  let serverSawClose!: Promise<unknown>;
  const { base } = await startServer(t, (req, res) => {
    serverSawClose = once(res, 'close');
    res.writeHead(200);
    res.write('x'.repeat(1024));
  });
  const res = await client(t).request({ method: 'GET', url: `${base}/`, headers: {} });
  assert.ok(res.body instanceof RuntimeBody);
  res.body.dispose();
  // The server sees its response closed unfinished; the test times out if the connection stays open.
  await serverSawClose;
  assert.equal((res.body.native as http.IncomingMessage).destroyed, true);
});

/** A body that yields its chunks `gapMs` apart. */
function slowBody(chunks: string[], gapMs: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      if (i === chunks.length) return controller.close();
      controller.enqueue(new TextEncoder().encode(chunks[i++]));
    },
  });
}

test('node client never sends bytes past the declared Content-Length, and drops that connection', async (t) => {
  const store = await startRawHttpStore();
  t.after(() => store.stop());
  const c = client(t);
  const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
  const web = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('hello'));
      controller.enqueue(new TextEncoder().encode(smuggled));
      controller.close();
    },
  });
  await assert.rejects(
    c.request({ method: 'PUT', url: `${store.endpoint}/a`, headers: { 'content-length': '5' }, body: web }),
    (err: unknown) => err instanceof ContentLengthMismatchError && !err.atEnd,
  );
  const native = Readable.from([Buffer.from('hello'), Buffer.from(smuggled)]);
  await assert.rejects(
    c.request({ method: 'PUT', url: `${store.endpoint}/b`, headers: { 'content-length': '5' }, body: new RuntimeBody(native, () => bytesBody('')) }),
    (err: unknown) => err instanceof ContentLengthMismatchError,
  );
  const ok = await c.request({ method: 'GET', url: `${store.endpoint}/after`, headers: {} });
  await readAll(ok.body);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(!store.received.some((bytes) => bytes.includes('smuggled')), 'no surplus byte reached the store');
  assert.deepEqual(store.requests.map((r) => r.path), ['/after'], 'neither upload completed a request');
  assert.equal(store.connections(), 3, 'a connection that saw a length error is never reused');
});

test('node client fails a body shorter than its Content-Length without ending the request', async (t) => {
  const store = await startRawHttpStore();
  t.after(() => store.stop());
  await assert.rejects(
    client(t).request({ method: 'PUT', url: `${store.endpoint}/short`, headers: { 'content-length': '10' }, body: bytesBody('abc') }),
    (err: unknown) => err instanceof ContentLengthMismatchError && err.atEnd,
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(store.requests.length, 0, 'the store never saw a complete request');
});

test('node client starts the response timeout once the body is sent, and guards the upload with the idle timeout', async (t) => {
  const { base } = await startServer(t, (req, res) => {
    let received = '';
    req.on('data', (c: Buffer) => (received += c.toString()));
    req.on('end', () => res.end(received));
  });
  const c = client(t);
  // 6 chunks 60 ms apart: longer than the response timeout, each gap shorter than the idle timeout.
  const chunks = ['a', 'b', 'c', 'd', 'e', 'f'];
  const res = await c.request({
    method: 'PUT', url: `${base}/slow`, headers: { 'content-length': '6' }, body: slowBody(chunks, 60),
    timeouts: { responseMs: 100, idleMs: 200 },
  });
  assert.equal(text(await readAll(res.body)), 'abcdef');
  await assert.rejects(
    c.request({ method: 'PUT', url: `${base}/stalled`, headers: { 'content-length': '6' }, body: slowBody(['a', 'b'], 400), timeouts: { responseMs: 5000, idleMs: 100 } }),
    (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'idle',
  );
});

test('node client with awaitFirstByte: a reset after the headers rejects the request; bodies still read whole', async (t) => {
  const store = await startRawHttpStore({ kind: 'headers-then-reset', contentLength: 10 });
  t.after(() => store.stop());
  const c = client(t);
  await assert.rejects(
    c.request({ method: 'GET', url: `${store.endpoint}/k`, headers: {}, awaitFirstByte: true }),
    (err: unknown) => err instanceof ResponseBodyStartError,
  );
  store.behave({ kind: 'ok', body: 'first bytes kept' });
  const res = await c.request({ method: 'GET', url: `${store.endpoint}/k`, headers: {}, awaitFirstByte: true });
  assert.equal(text(await readAll(res.body)), 'first bytes kept');
  const piped = await c.request({ method: 'GET', url: `${store.endpoint}/k`, headers: {}, awaitFirstByte: true });
  const chunks: Buffer[] = [];
  for await (const chunk of (piped.body as RuntimeBody).native as Readable) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'first bytes kept');
  store.behave({ kind: 'ok' });
  const empty = await c.request({ method: 'GET', url: `${store.endpoint}/empty`, headers: {}, awaitFirstByte: true });
  assert.equal((await readAll(empty.body)).byteLength, 0);
});

test('node client with awaitFirstByte bounds the wait for the first byte by the response timeout', async (t) => {
  const { base } = await startServer(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '5' });
    res.flushHeaders();
  });
  await assert.rejects(
    client(t).request({ method: 'GET', url: `${base}/`, headers: {}, awaitFirstByte: true, timeouts: { responseMs: 100 } }),
    (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'response',
  );
});
