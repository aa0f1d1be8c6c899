/**
 * The bridge over real sockets with a scripted gateway: whatever the core
 * answers, the response body is released and the completion callback runs.
 */
import assert from 'node:assert/strict';
import { createReadStream, readdirSync } from 'node:fs';
import { type IncomingMessage, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RuntimeBody, bytesBody } from '../../core/body.ts';
import type { Gateway } from '../../core/gateway.ts';
import type { GatewayRequest, GatewayResponse } from '../../core/http.ts';
import { handleNodeRequest } from './bridge.ts';

type Completion = { bytes: number; aborted: boolean };

async function serve(t: TestContext, handle: (req: GatewayRequest) => Promise<GatewayResponse>) {
  const events: Record<string, unknown>[] = [];
  const log = { write: (event: Record<string, unknown>) => void events.push(event) };
  const gateway: Gateway = { handle };
  const server = createServer((req, res) => {
    handleNodeRequest(gateway, req, res, log).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on('connection', (socket) => t.after(() => socket.destroy()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, events };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function trackedBody(content = 'payload') {
  const disposed = { count: 0 };
  const source = Readable.from([Buffer.from(content)]);
  const body = new RuntimeBody(source, () => Readable.toWeb(source) as ReadableStream<Uint8Array>, () => {
    disposed.count++;
    source.destroy();
  });
  return { body, disposed };
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

async function settledFds(baseline: number): Promise<number> {
  // Sockets and files close a turn or two after their last event.
  for (let i = 0; i < 100 && openFds() > baseline; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return openFds();
}

const INVALID_HEADERS = { 'content-type': 'text/plain', 'x-from-request': 'inline\r\nSet-Cookie: a=b' };

test('headers Node refuses: the body is disposed and the client gets a clean S3 500', async (t) => {
  const completions: Completion[] = [];
  const { body, disposed } = trackedBody();
  const { url, events } = await serve(t, async () => ({
    status: 200,
    headers: { ...INVALID_HEADERS, 'x-amz-request-id': 'REQ1' },
    body,
    done: (c) => void completions.push(c),
  }));
  const res = await get(`${url}/bucket/key`);
  assert.equal(res.status, 500);
  assert.equal(res.headers['set-cookie'], undefined);
  assert.match(res.body, /<Code>InternalError<\/Code>/);
  assert.match(res.body, /<RequestId>REQ1<\/RequestId>/);
  assert.equal(disposed.count, 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(completions.length, 1);
  const failure = events.find((e) => e.msg === 'response headers rejected');
  assert.ok(failure, 'the failure is logged');
  assert.equal(failure.level, 'error');
  assert.doesNotMatch(JSON.stringify(events), /Set-Cookie|inline/, 'the offending value stays out of the log');
});

test('200 responses with refused headers and an open file body leave no file descriptor behind', async (t) => {
  const file = fileURLToPath(import.meta.url);
  const { url } = await serve(t, async () => {
    const source = createReadStream(file);
    return {
      status: 200,
      headers: INVALID_HEADERS,
      body: new RuntimeBody(source, () => Readable.toWeb(source) as ReadableStream<Uint8Array>, () => source.destroy()),
    };
  });
  await get(`${url}/warm-up`);
  const baseline = await settledFds(0);
  for (let i = 0; i < 200; i++) assert.equal((await get(`${url}/k${i}`)).status, 500);
  assert.equal(await settledFds(baseline), baseline);
});

test('a native file body without a dispose function is still closed when its headers are refused', async (t) => {
  const file = fileURLToPath(import.meta.url);
  const { url } = await serve(t, async () => {
    const source = createReadStream(file);
    return { status: 200, headers: INVALID_HEADERS, body: new RuntimeBody(source, () => Readable.toWeb(source) as ReadableStream<Uint8Array>) };
  });
  await get(`${url}/warm-up`);
  const baseline = await settledFds(0);
  for (let i = 0; i < 50; i++) assert.equal((await get(`${url}/k${i}`)).status, 500);
  assert.equal(await settledFds(baseline), baseline);
});

test('a Web stream body is cancelled when its headers are refused', async (t) => {
  let cancelled = 0;
  const { url } = await serve(t, async () => ({
    status: 200,
    headers: INVALID_HEADERS,
    body: new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(8)), cancel: () => void cancelled++ }),
  }));
  assert.equal((await get(`${url}/k`)).status, 500);
  assert.equal(cancelled, 1);
});

test('a client gone before the response: the body is disposed and completion reports an abort', async (t) => {
  const completions: Completion[] = [];
  let clientGone!: () => void;
  const gone = new Promise<void>((resolve) => (clientGone = resolve));
  const { body, disposed } = trackedBody();
  const { url } = await serve(t, async () => {
    await gone;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { status: 200, headers: {}, body, done: (c) => void completions.push(c) };
  });
  const req = request(`${url}/k`, { agent: false });
  req.on('error', () => {});
  req.end();
  req.on('socket', (socket) => socket.on('connect', () => setTimeout(() => {
    req.destroy();
    clientGone();
  }, 20)));
  await gone;
  for (let i = 0; i < 50 && completions.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(completions, [{ bytes: 0, aborted: true }]);
  assert.equal(disposed.count, 1);
});

test('a source that fails mid-response cuts the connection and completion reports an abort', async (t) => {
  const completions: Completion[] = [];
  const { url } = await serve(t, async () => {
    let sent = false;
    return {
      status: 200,
      headers: { 'content-length': '100' },
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) controller.error(new Error('backend went away'));
          else controller.enqueue(new Uint8Array(10));
          sent = true;
        },
      }),
      done: (c) => void completions.push(c),
    };
  });
  await assert.rejects(get(`${url}/k`));
  for (let i = 0; i < 50 && completions.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(completions, [{ bytes: 10, aborted: true }]);
});

test('a gateway that throws gets an opaque 500, logged', async (t) => {
  const { url, events } = await serve(t, async () => {
    throw new Error('bug');
  });
  const res = await get(`${url}/k`);
  assert.equal(res.status, 500);
  assert.match(res.body, /<Code>InternalError<\/Code>/);
  assert.ok(events.some((e) => e.level === 'error'));
});

test('a well-formed response streams its body and completes with the byte count', async (t) => {
  const completions: Completion[] = [];
  const { url } = await serve(t, async () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: bytesBody('hello'), done: (c) => void completions.push(c) }));
  const res = await get(`${url}/k`);
  assert.deepEqual([res.status, res.body], [200, 'hello']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(completions, [{ bytes: 5, aborted: false }]);
});
