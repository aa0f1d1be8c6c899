/** Tests for the fetch-based HttpClient against a loopback `node:http` server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFetchHttpClient } from './fetch-http-client.ts';
import { bytesBody, readAll } from './body.ts';
import { ContentLengthMismatchError, HttpTimeoutError, ResponseBodyStartError } from './http-errors.ts';

async function startServer(
  t: { after(fn: () => unknown): void },
  handler: http.RequestListener,
): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test('fetch client sends method, path, query and headers and returns status, lower-cased headers and body', async (t) => {
  const base = await startServer(t, (req, res) => {
    res.setHeader('X-Echo-Method', req.method ?? '');
    res.setHeader('X-Echo-Url', req.url ?? '');
    res.setHeader('X-Echo-Custom', String(req.headers['x-custom']));
    res.setHeader('Set-Something', ['a', 'b']);
    res.statusCode = 207;
    res.end('payload');
  });
  const client = createFetchHttpClient();
  const res = await client.request({ method: 'GET', url: `${base}/bucket/key?list-type=2`, headers: { 'x-custom': 'v1' } });
  assert.equal(res.status, 207);
  assert.equal(res.headers['x-echo-method'], 'GET');
  assert.equal(res.headers['x-echo-url'], '/bucket/key?list-type=2');
  assert.equal(res.headers['x-echo-custom'], 'v1');
  assert.equal(res.headers['set-something'], 'a, b');
  assert.equal(text(await readAll(res.body)), 'payload');
});

test('fetch client streams the request body instead of buffering it first', async (t) => {
  let firstChunkSeen!: () => void;
  const firstChunkArrived = new Promise<void>((resolve) => (firstChunkSeen = resolve));
  const base = await startServer(t, (req, res) => {
    const parts: string[] = [];
    req.on('data', (chunk: Buffer) => {
      parts.push(chunk.toString());
      firstChunkSeen();
    });
    req.on('end', () => res.end(parts.join('')));
  });
  const encoder = new TextEncoder();
  // The second chunk is produced only once the server has received the first:
  // a client that buffered the whole body before sending would deadlock here.
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode('first-'));
      await firstChunkArrived;
      controller.enqueue(encoder.encode('second'));
      controller.close();
    },
  });
  const client = createFetchHttpClient();
  const res = await client.request({ method: 'PUT', url: `${base}/k`, headers: { 'content-type': 'text/plain' }, body });
  assert.equal(res.status, 200);
  assert.equal(text(await readAll(res.body)), 'first-second');
});

test('fetch client gives an empty body stream for HEAD and 204 responses', async (t) => {
  const base = await startServer(t, (req, res) => {
    res.statusCode = req.method === 'HEAD' ? 200 : 204;
    res.setHeader('content-length', req.method === 'HEAD' ? '10' : '0');
    res.end();
  });
  const client = createFetchHttpClient();
  const head = await client.request({ method: 'HEAD', url: `${base}/k`, headers: {} });
  assert.equal(head.headers['content-length'], '10');
  assert.equal((await readAll(head.body)).byteLength, 0);
  const del = await client.request({ method: 'DELETE', url: `${base}/k`, headers: {} });
  assert.equal(del.status, 204);
  assert.equal((await readAll(del.body)).byteLength, 0);
});

test('fetch client rejects when the signal aborts while waiting for the response', { timeout: 10_000 }, async (t) => {
  let received!: () => void;
  const requestReceived = new Promise<void>((resolve) => (received = resolve));
  const base = await startServer(t, () => {
    received(); // and never answers
  });
  const client = createFetchHttpClient();
  const controller = new AbortController();
  const pending = client.request({ method: 'GET', url: `${base}/slow`, headers: {}, signal: controller.signal });
  await requestReceived;
  controller.abort(new Error('caller went away'));
  await assert.rejects(pending, /caller went away/);
});

test('fetch client rejects at once for an already aborted signal without calling fetch', async () => {
  let called = false;
  const client = createFetchHttpClient(async () => {
    called = true;
    return new Response('x');
  });
  await assert.rejects(
    client.request({ method: 'GET', url: 'http://127.0.0.1:9/', headers: {}, signal: AbortSignal.abort(new Error('gone')) }),
    /gone/,
  );
  assert.equal(called, false);
});

test('fetch client passes a streamed body with duplex half and never a body on GET', async () => {
  const seen: Array<{ method?: string; body: unknown; duplex?: string; redirect?: string }> = [];
  const client = createFetchHttpClient(async (_url, init) => {
    seen.push({ method: init.method, body: init.body, duplex: init.duplex, redirect: init.redirect });
    return new Response(null, { status: 200 });
  });
  await client.request({ method: 'PUT', url: 'http://127.0.0.1:9/k', headers: {}, body: bytesBody('abc') });
  await client.request({ method: 'GET', url: 'http://127.0.0.1:9/k', headers: {}, body: bytesBody('ignored') });
  assert.ok(seen[0]!.body instanceof ReadableStream);
  assert.equal(seen[0]!.duplex, 'half');
  assert.equal(seen[0]!.redirect, 'manual');
  assert.equal(seen[1]!.body, undefined);
  assert.equal(seen[1]!.duplex, undefined);
});

test('fetch client fails a body longer or shorter than its Content-Length', async (t) => {
  const base = await startServer(t, (req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.end('stored'));
  });
  const client = createFetchHttpClient();
  await assert.rejects(
    client.request({ method: 'PUT', url: `${base}/long`, headers: { 'content-length': '3' }, body: bytesBody('abcdef') }),
    (err: unknown) => err instanceof ContentLengthMismatchError && !err.atEnd,
  );
  await assert.rejects(
    client.request({ method: 'PUT', url: `${base}/short`, headers: { 'content-length': '9' }, body: bytesBody('abc') }),
    (err: unknown) => err instanceof ContentLengthMismatchError && err.atEnd,
  );
});

test('fetch client times the response from the end of the body, and awaits the first byte when asked', async (t) => {
  const base = await startServer(t, (req, res) => {
    if (req.url === '/silent') return;
    if (req.url === '/headers-only') {
      res.writeHead(200, { 'content-length': '5' });
      res.flushHeaders();
      setTimeout(() => res.socket?.destroy(), 30);
      return;
    }
    req.on('data', () => {});
    req.on('end', () => res.end('ok'));
  });
  const client = createFetchHttpClient();
  let i = 0;
  const slow = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (i++ === 4) controller.close();
      else controller.enqueue(new Uint8Array(1));
    },
  });
  const res = await client.request({ method: 'PUT', url: `${base}/slow`, headers: { 'content-length': '4' }, body: slow, timeouts: { responseMs: 100, idleMs: 1000 } });
  assert.equal(text(await readAll(res.body)), 'ok');
  await assert.rejects(
    client.request({ method: 'GET', url: `${base}/silent`, headers: {}, timeouts: { responseMs: 80 } }),
    (err: unknown) => err instanceof HttpTimeoutError && err.phase === 'response',
  );
  await assert.rejects(
    client.request({ method: 'GET', url: `${base}/headers-only`, headers: {}, awaitFirstByte: true }),
    (err: unknown) => err instanceof ResponseBodyStartError,
  );
});
