/**
 * A raw TCP "store" for framing and fault tests: it records every byte each
 * connection delivers, parses what it can as HTTP/1.1 requests framed by
 * Content-Length (as a real store's parser would), and answers according to a
 * scripted behaviour — a plain 200, headers then a reset, or nothing at all
 * (a blackholed store that accepts connections and never replies).
 */
import net from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type StoreBehaviour =
  /** Answer every request 200 with an ETag and the given body (empty by default). */
  | { kind: 'ok'; body?: string }
  /** Send a 200 status line and headers announcing a body, then reset the connection. */
  | { kind: 'headers-then-reset'; contentLength: number }
  /** Accept connections and never answer. */
  | { kind: 'blackhole' }
  /** Decide per request (`index` counts requests from 0). */
  | { kind: 'script'; next: (request: RecordedRequest, index: number) => Exclude<StoreBehaviour, { kind: 'script' }> };

export interface RawHttpStore {
  endpoint: string;
  port: number;
  /** Every complete request parsed, on any connection, in arrival order. */
  requests: RecordedRequest[];
  /** Everything received, per connection. */
  received: Buffer[];
  connections(): number;
  /** Change what the store does from the next request on. */
  behave(next: StoreBehaviour): void;
  stop(): Promise<void>;
}

export async function startRawHttpStore(initial: StoreBehaviour = { kind: 'ok' }): Promise<RawHttpStore> {
  let behaviour = initial;
  const requests: RecordedRequest[] = [];
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const index = received.push(Buffer.alloc(0)) - 1;
    let pending = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (data: Buffer) => {
      received[index] = Buffer.concat([received[index]!, data]);
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const parsed = parseRequest(pending);
        if (!parsed) break;
        pending = pending.subarray(parsed.consumed);
        requests.push(parsed.request);
        answer(socket, parsed.request);
      }
    });
  });

  function answer(socket: net.Socket, request: RecordedRequest): void {
    const current = behaviour.kind === 'script' ? behaviour.next(request, requests.length - 1) : behaviour;
    if (current.kind === 'blackhole') return;
    if (current.kind === 'headers-then-reset') {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${current.contentLength}\r\nETag: "e"\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n`, () => {
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
      return;
    }
    const body = request.method === 'HEAD' ? '' : current.body ?? '';
    socket.write(
      `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(current.body ?? '')}\r\nETag: "0123456789abcdef0123456789abcdef"\r\n` +
        `Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nConnection: keep-alive\r\n\r\n${body}`,
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    received,
    connections: () => received.length,
    behave(next) {
      behaviour = next;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One request from the front of `buffer`, framed by Content-Length (none: no body); null until complete. */
function parseRequest(buffer: Buffer): { request: RecordedRequest; consumed: number } | null {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [requestLine = '', ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? '0');
  const bodyStart = end + 4;
  if (buffer.length < bodyStart + length) return null;
  return {
    request: { method, path, headers, body: Buffer.from(buffer.subarray(bodyStart, bodyStart + length)) },
    consumed: bodyStart + length,
  };
}
