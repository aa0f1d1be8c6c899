/**
 * `node:http` ↔ core, with no Web Request/Response on the hot path.
 *
 * Requests become `GatewayRequest`s whose body is the `IncomingMessage`
 * itself (wrapped as a `RuntimeBody`). Responses go back with `writeHead` and
 * either `pipe()` from a native Node stream (a file or a backend response) or
 * a plain reader loop over a Web stream, honouring backpressure both ways. A
 * client that disconnects mid-response destroys the source, which stops the
 * backend read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { RuntimeBody, type WebByteStream } from '../../core/body.ts';
import type { Gateway } from '../../core/gateway.ts';
import type { GatewayRequest, GatewayResponse, HeaderMap } from '../../core/http.ts';

export function toGatewayRequest(req: IncomingMessage, res: ServerResponse): GatewayRequest {
  let url = req.url ?? '/';
  if (!url.startsWith('/')) {
    // absolute-form request target: keep only path and query, as sent
    const afterScheme = url.indexOf('://');
    const pathStart = afterScheme === -1 ? -1 : url.indexOf('/', afterScheme + 3);
    url = pathStart === -1 ? '/' : url.slice(pathStart);
  }
  const q = url.indexOf('?');
  // Created on first use: most requests (files piped to the socket) never need one.
  let controller: AbortController | undefined;
  const abortSignal = () => {
    if (!controller) {
      const created = new AbortController();
      controller = created;
      if (res.closed) {
        if (!res.writableFinished) created.abort();
      } else {
        res.once('close', () => {
          if (!res.writableFinished) created.abort();
        });
      }
    }
    return controller.signal;
  };
  const headers = req.headers as Record<string, string | string[] | undefined>;
  const flat: HeaderMap = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    rawPath: q === -1 ? url : url.slice(0, q),
    rawQuery: q === -1 ? '' : url.slice(q + 1),
    headers: flat,
    body: hasBody(req) ? nodeBody(req) : undefined,
    client: { ip: req.socket.remoteAddress },
    get signal() {
      return abortSignal();
    },
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function nodeBody(stream: Readable): RuntimeBody {
  return new RuntimeBody(
    stream,
    () => Readable.toWeb(stream) as unknown as WebByteStream,
    () => stream.destroy(),
  );
}

export async function handleNodeRequest(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const response = await gateway.handle(toGatewayRequest(req, res));
  writeResponse(req, res, response);
}

function writeResponse(req: IncomingMessage, res: ServerResponse, response: GatewayResponse): void {
  let bytes = 0;
  const done = response.done;
  if (done) {
    res.once('close', () => done({ bytes, aborted: !res.writableFinished }));
  }
  res.writeHead(response.status, response.headers);
  const body = response.body;
  if (!body || req.method === 'HEAD') {
    if (body instanceof RuntimeBody) body.dispose();
    else body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const native = body instanceof RuntimeBody ? body.native : undefined;
  if (native instanceof Readable) {
    if (done) {
      native.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
    }
    native.once('error', () => res.destroy());
    res.once('close', () => {
      if (!res.writableFinished) native.destroy();
    });
    native.pipe(res);
    return;
  }
  const stream = body instanceof RuntimeBody ? body.toWeb() : body;
  void pump(stream, res, (n) => {
    bytes += n;
  });
}

/** Copy a Web stream into the response with a plain reader loop (cheaper than stream.pipeline). */
async function pump(stream: WebByteStream, res: ServerResponse, count: (n: number) => void): Promise<void> {
  const reader = stream.getReader();
  const onClose = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      count(value.byteLength);
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const settle = () => {
            res.off('drain', settle);
            res.off('close', settle);
            resolve();
          };
          res.on('drain', settle);
          res.on('close', settle);
        });
        if (res.destroyed) return;
      }
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}
