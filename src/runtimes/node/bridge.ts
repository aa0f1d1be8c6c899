/**
 * `node:http` ↔ core, with no Web Request/Response on the hot path.
 *
 * Requests become `GatewayRequest`s whose body is the `IncomingMessage`
 * itself (see `request-body.ts`). Responses go back with `writeHead` and
 * either `pipe()` from a native Node stream (a file or a backend response) or
 * a plain reader loop over a Web stream, honouring backpressure both ways.
 *
 * Whatever happens on the way out (headers Node refuses, a client that left
 * before or during the response, a source that fails), the response body is
 * released — a file closed, a backend socket freed — and the completion
 * callback runs once, so every request leaves an access-log line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { RuntimeBody, type WebByteStream, discardBody, toWebStream } from '../../core/body.ts';
import type { Gateway } from '../../core/gateway.ts';
import { headerValueText } from '../../core/header-values.ts';
import type { GatewayRequest, GatewayResponse, HeaderMap } from '../../core/http.ts';
import type { LogSink } from '../../core/runtime.ts';
import { internalErrorReply } from './error-replies.ts';
import { requestBody } from './request-body.ts';

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
      whenClosed(res, () => {
        if (!res.writableFinished) created.abort();
      });
    }
    return controller.signal;
  };
  const headers = req.headers as Record<string, string | string[] | undefined>;
  const flat: HeaderMap = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = headerValueText(Array.isArray(value) ? value.join(', ') : value);
  }
  return {
    method: req.method ?? 'GET',
    rawPath: q === -1 ? url : url.slice(0, q),
    rawQuery: q === -1 ? '' : url.slice(q + 1),
    headers: flat,
    body: hasBody(req) ? requestBody(req) : undefined,
    client: { ip: req.socket.remoteAddress },
    get signal() {
      return abortSignal();
    },
  };
}

export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Run the request through the gateway and send what it answers; never rejects. */
export async function handleNodeRequest(gateway: Gateway, req: IncomingMessage, res: ServerResponse, log: LogSink): Promise<void> {
  let response: GatewayResponse;
  try {
    response = await gateway.handle(toGatewayRequest(req, res));
  } catch (error) {
    log.write({ level: 'error', msg: 'gateway failed', error: describeError(error) });
    failResponse(res);
    return;
  }
  sendResponse(req, res, response, log);
}

/** A clean 500 while the status line can still be sent; otherwise cut the connection. */
export function failResponse(res: ServerResponse, requestId?: string): void {
  if (!res.headersSent && !res.destroyed) {
    const reply = internalErrorReply(requestId);
    try {
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
      return;
    } catch {
      // fall through: nothing sensible can be written any more
    }
  }
  res.destroy();
}

export function sendResponse(req: IncomingMessage, res: ServerResponse, response: GatewayResponse, log: LogSink): void {
  const { body, done } = response;
  let bytes = 0;
  if (done) whenClosed(res, () => done({ bytes, aborted: !res.writableFinished }));
  if (res.destroyed) {
    // The client left while the gateway worked: nobody will read this body.
    releaseBody(body);
    return;
  }
  // Answered before the upload was read to its end (a refusal, an error): the
  // rest of the body is not worth reading, so the connection closes once the
  // response is out instead of draining whatever the client still sends.
  const headers = hasBody(req) && !req.complete ? { ...response.headers, connection: 'close' } : response.headers;
  try {
    res.writeHead(response.status, headers);
  } catch (error) {
    releaseBody(body);
    // The code only: Node's messages may quote the offending value.
    log.write({ level: 'error', msg: 'response headers rejected', requestId: response.headers['x-amz-request-id'], error: errorCode(error) });
    failResponse(res, response.headers['x-amz-request-id']);
    return;
  }
  if (!body || req.method === 'HEAD') {
    releaseBody(body);
    res.end();
    return;
  }
  const count = done ? (n: number) => (bytes += n) : undefined;
  if (body instanceof RuntimeBody && body.native instanceof Readable) pipeNative(body, body.native, res, count);
  else void pump(toWebStream(body), res, count);
}

function pipeNative(body: RuntimeBody, source: Readable, res: ServerResponse, count: ((n: number) => void) | undefined): void {
  whenClosed(res, () => {
    if (!res.writableFinished) releaseBody(body);
  });
  if (source.destroyed) {
    res.destroy();
    return;
  }
  if (count) source.on('data', (chunk: Buffer) => count(chunk.length));
  source.once('error', () => res.destroy());
  source.pipe(res);
}

/** Copy a Web stream into the response with a plain reader loop (cheaper than stream.pipeline). */
async function pump(stream: WebByteStream, res: ServerResponse, count: ((n: number) => void) | undefined): Promise<void> {
  const reader = stream.getReader();
  const cancel = () => {
    reader.cancel().catch(() => {});
  };
  const onClose = () => {
    if (!res.writableFinished) cancel();
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) {
        cancel();
        return;
      }
      count?.(value.byteLength);
      if (!res.write(value)) {
        await drained(res);
        if (res.destroyed) {
          cancel();
          return;
        }
      }
    }
    res.end();
  } catch {
    cancel();
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      resolve();
    };
    res.on('drain', settle);
    res.on('close', settle);
  });
}

/**
 * Let go of a body nobody will read. A native stream is destroyed as well as
 * disposed: a body built without a `dispose` would otherwise keep its file open.
 */
function releaseBody(body: GatewayResponse['body']): void {
  discardBody(body);
  if (body instanceof RuntimeBody && body.native instanceof Readable && !body.native.destroyed) body.native.destroy();
}

/** Run `fn` when the response closes, or now if it already has (a 'close' listener added late never fires). */
function whenClosed(res: ServerResponse, fn: () => void): void {
  if (res.closed) fn();
  else res.once('close', fn);
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
