/**
 * The upload's Web view over real sockets: bytes in order, backpressure,
 * giving up without cutting the connection, and a hang-up as IncompleteBody.
 */
import assert from 'node:assert/strict';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { type TestContext, test } from 'node:test';
import { readAll } from '../../core/body.ts';
import { requestBody } from './request-body.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(t: TestContext, handler: Handler): Promise<number> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.on('connection', (socket) => t.after(() => socket.destroy()));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

function send(port: number, head: string, body: Buffer | string = '') {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  socket.write(head);
  if (body.length > 0) socket.write(body);
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  return { socket, closed };
}

test('the Web view delivers the whole body in order', async (t) => {
  const size = 3 * 1024 * 1024 + 17;
  const sent = Buffer.alloc(size);
  for (let i = 0; i < size; i++) sent[i] = i % 251;
  let got: Uint8Array | undefined;
  const port = await serve(t, (req, res) => {
    void readAll(requestBody(req).toWeb()).then((bytes) => {
      got = bytes;
      res.end('ok');
    });
  });
  const reply = await send(port, `PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`, sent).closed;
  assert.match(reply, /^HTTP\/1\.1 200 [^]*ok$/);
  assert.ok(got && Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(sent));
  assert.equal(Object.getPrototypeOf(got), Uint8Array.prototype);
});

test('cancelling the view stops reading but keeps the connection for the response', async (t) => {
  let socketAlive: boolean | undefined;
  const port = await serve(t, async (req, res) => {
    const reader = requestBody(req).toWeb().getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    socketAlive = !req.socket.destroyed;
    res.writeHead(400, { connection: 'close', 'content-length': '4' });
    res.end('nope');
  });
  const client = send(port, 'PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n', Buffer.alloc(256 * 1024));
  const reply = await client.closed;
  assert.equal(socketAlive, true);
  assert.match(reply, /^HTTP\/1\.1 400 [^]*nope$/);
});

test('a client that hangs up mid-body fails the view with IncompleteBody', async (t) => {
  let failure: unknown;
  let settled!: () => void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const port = await serve(t, (req) => {
    readAll(requestBody(req).toWeb()).catch((error: unknown) => {
      failure = error;
      settled();
    });
  });
  const client = send(port, 'PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n', 'partial');
  await new Promise((resolve) => setTimeout(resolve, 50));
  client.socket.destroy();
  await done;
  assert.equal((failure as { code?: string }).code, 'IncompleteBody');
});
