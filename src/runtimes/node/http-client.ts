/**
 * The Node `HttpClient`: `node:http`/`node:https` `request()` over keep-alive
 * agents, with no fetch and no Web Request/Response on the path.
 *
 * Request bodies go out through `outbound-body.ts` (piped or written with a
 * reader loop, never past their declared length). Responses come back as a
 * `RuntimeBody` wrapping the `IncomingMessage`, so the Node server can pipe a
 * backend response straight to its client without a Web stream round trip.
 *
 * Timeouts, each per request with client-wide defaults: `connect` while the
 * connection opens; `idle` while the body is being sent and while the
 * response body streams; `response` from the request fully sent to the answer
 * (to its first body byte with `awaitFirstByte`), so a long upload is never
 * cut by the wait for its answer. Any failure resets the socket.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { RuntimeBody, type WebByteStream } from '../../core/body.ts';
import { HttpTimeoutError, ResponseBodyStartError, declaredContentLength } from '../../core/http-errors.ts';
import type { HeaderMap, HttpClient, OutboundRequest, OutboundResponse } from '../../core/http.ts';
import { type Fail, sendBody } from './outbound-body.ts';

export { HttpTimeoutError };

export interface NodeHttpClientOptions {
  /** Time allowed to open a new connection (TCP, and TLS for https), where a request does not say. Default 10 s. */
  connectTimeoutMs?: number;
  /** Longest wait for the answer once a request is sent, where a request does not say. Default: `idleTimeoutMs`. */
  responseTimeoutMs?: number;
  /** Longest time without progress sending or receiving a body, where a request does not say. Default 60 s. */
  idleTimeoutMs?: number;
  /** Concurrent sockets per origin. Default 128. */
  maxSockets?: number;
  /**
   * How long an unused pooled connection is kept. Default 4 s: below the 5 s
   * after which Node servers (and many others) close idle keep-alive
   * connections, so a request rarely lands on a socket the server is closing.
   */
  keepAliveMs?: number;
  /** Certificates (PEM) to trust for https instead of the system's: a private CA, or a test peer's self-signed certificate. */
  ca?: string | string[];
}

export interface NodeHttpClient extends HttpClient {
  /** Close the pooled keep-alive sockets (shutdown, tests). */
  close(): void;
}

interface Target {
  secure: boolean;
  hostname: string;
  port: number;
  /** Path and query exactly as given: WHATWG URL parsing would fold `..` segments that are part of a key. */
  path: string;
}

function parseTarget(url: string): Target {
  const match = /^(https?):\/\/([^/?#]+)([^#]*)/i.exec(url);
  if (!match) throw new TypeError(`unsupported URL: ${url}`);
  const secure = match[1]!.toLowerCase() === 'https';
  const origin = new URL(`${match[1]}://${match[2]}/`);
  const rest = match[3]!;
  return {
    secure,
    // URL keeps IPv6 literals bracketed; http.request wants them bare.
    hostname: origin.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: origin.port ? Number(origin.port) : secure ? 443 : 80,
    path: rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest,
  };
}

function toHeaderMap(headers: http.IncomingHttpHeaders): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** RST rather than FIN; a TLS socket has no TCP handle of its own to reset, so it is destroyed (the store still sees a cut body). */
function resetSocket(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

function wantsFirstByte(out: OutboundRequest, res: http.IncomingMessage): boolean {
  const status = res.statusCode ?? 0;
  if (!out.awaitFirstByte || out.method === 'HEAD' || status === 204 || status === 304 || res.headers['content-length'] === '0') return false;
  return out.awaitFirstByte === true || out.awaitFirstByte(status, toHeaderMap(res.headers));
}

/**
 * Hold the answer until its first body byte (or its end) is in, then put the
 * byte back so the body still reads from the start. A connection lost before
 * then fails the request rather than the body.
 */
function awaitFirstByte(res: http.IncomingMessage, deliver: () => void, fail: Fail): void {
  const cleanup = () => {
    res.off('data', onData);
    res.off('end', onEnd);
    res.off('close', onClose);
  };
  const onData = (chunk: Buffer) => {
    cleanup();
    res.pause();
    res.unshift(chunk);
    deliver();
  };
  const onEnd = () => {
    cleanup();
    deliver();
  };
  const onClose = () => {
    cleanup();
    fail(new ResponseBodyStartError());
  };
  res.on('data', onData);
  res.on('end', onEnd);
  res.on('close', onClose);
}

export function createNodeHttpClient(options: NodeHttpClientOptions = {}): NodeHttpClient {
  const defaults = {
    connectMs: options.connectTimeoutMs ?? 10_000,
    idleMs: options.idleTimeoutMs ?? 60_000,
    responseMs: options.responseTimeoutMs ?? options.idleTimeoutMs ?? 60_000,
  };
  // The agent's `timeout` applies to pooled sockets (each request sets its own idle timeout).
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 128, timeout: options.keepAliveMs ?? 4000 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(options.ca === undefined ? agentOptions : { ...agentOptions, ca: options.ca });

  function request(out: OutboundRequest): Promise<OutboundResponse> {
    return new Promise<OutboundResponse>((resolve, reject) => {
      const signal = out.signal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const connectMs = out.timeouts?.connectMs ?? defaults.connectMs;
      const responseMs = out.timeouts?.responseMs ?? defaults.responseMs;
      const idleMs = out.timeouts?.idleMs ?? defaults.idleMs;
      const target = parseTarget(out.url);
      const req = (target.secure ? https : http).request({
        agent: target.secure ? httpsAgent : httpAgent,
        method: out.method,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        headers: out.headers,
      });
      // Node's own length check, behind the guard in sendBody (which fails first, without throwing).
      (req as { strictContentLength?: boolean }).strictContentLength = true;
      let response: http.IncomingMessage | undefined;
      let settled = false;
      let connectTimer: ReturnType<typeof setTimeout> | undefined;
      let responseTimer: ReturnType<typeof setTimeout> | undefined;
      const clearTimers = () => {
        clearTimeout(connectTimer);
        clearTimeout(responseTimer);
      };

      // Fail the request, and the response body if it is already flowing; the socket is reset, never reused.
      let failure: Error | undefined;
      const fail: Fail = (err) => {
        failure ??= err;
        clearTimers();
        const socket = req.socket;
        if (socket && !socket.destroyed && !socket.connecting) resetSocket(socket);
        response?.destroy(failure);
        req.destroy(failure);
        // Once a response is in, the request emits no 'error' of its own: settle here (awaitFirstByte).
        if (response && !settled) {
          settled = true;
          release();
          reject(failure);
        }
      };
      const onAbort = () => fail(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const release = () => signal?.removeEventListener('abort', onAbort);

      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) return; // a pooled keep-alive socket
        connectTimer = setTimeout(() => fail(new HttpTimeoutError('connect', connectMs)), connectMs);
        socket.once(target.secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      // Progress while sending and while the response body streams; the wait in between has its own limit.
      req.setTimeout(idleMs);
      req.on('timeout', () => fail(new HttpTimeoutError('idle', idleMs)));
      req.on('finish', () => {
        if (response) return;
        req.setTimeout(0);
        responseTimer = setTimeout(() => fail(new HttpTimeoutError('response', responseMs)), responseMs);
      });

      req.on('error', (err) => {
        clearTimers();
        release();
        if (!settled) {
          settled = true;
          // The reset socket reports a hang-up; the reason it was reset is what counts.
          // Lost between the headers and the first body byte (awaitFirstByte): say so.
          reject(failure ?? (response ? new ResponseBodyStartError(err) : err));
        }
      });
      req.on('response', (res) => {
        clearTimeout(connectTimer);
        response = res;
        res.once('close', release);
        // Errors after this point belong to the body's reader; keep them from going unhandled here.
        res.on('error', () => {});
        const deliver = () => {
          clearTimers();
          if (settled) return;
          settled = true;
          req.setTimeout(idleMs);
          resolve({
            status: res.statusCode ?? 0,
            headers: toHeaderMap(res.headers),
            body: new RuntimeBody(
              res,
              () => Readable.toWeb(res) as unknown as WebByteStream,
              () => res.destroy(),
            ),
          });
        };
        if (wantsFirstByte(out, res)) awaitFirstByte(res, deliver, fail);
        else deliver();
      });

      sendBody(out.body, req, declaredContentLength(out.headers), fail);
    });
  }

  return {
    request,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
