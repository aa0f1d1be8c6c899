/**
 * The Node `HttpClient`: `node:http`/`node:https` `request()` over keep-alive
 * agents, with no fetch and no Web Request/Response on the path.
 *
 * Request bodies that are Node streams are `pipe()`d; Web streams are written
 * with a plain reader loop that waits for 'drain'. Responses come back as a
 * `RuntimeBody` wrapping the `IncomingMessage`, so the Node server can pipe a
 * backend response straight to its client without a Web stream round trip.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { RuntimeBody, type Body, type WebByteStream } from '../../core/body.ts';
import type { HeaderMap, HttpClient, OutboundRequest, OutboundResponse } from '../../core/http.ts';

export interface NodeHttpClientOptions {
  /** Time allowed to open a new connection (TCP, and TLS for https). Default 10 s. */
  connectTimeoutMs?: number;
  /** Longest socket inactivity while sending or receiving, body included. Default 60 s. */
  idleTimeoutMs?: number;
  /** Concurrent sockets per origin. Default 128. */
  maxSockets?: number;
  /**
   * How long an unused pooled connection is kept. Default 4 s: below the 5 s
   * after which Node servers (and many others) close idle keep-alive
   * connections, so a request rarely lands on a socket the server is closing.
   */
  keepAliveMs?: number;
}

export interface NodeHttpClient extends HttpClient {
  /** Close the pooled keep-alive sockets (shutdown, tests). */
  close(): void;
}

/** A connection could not be opened, or went quiet, within the configured time. */
export class HttpTimeoutError extends Error {
  override name = 'HttpTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly phase: 'connect' | 'idle', readonly timeoutMs: number) {
    super(phase === 'connect' ? `connect timed out after ${timeoutMs} ms` : `no activity for ${timeoutMs} ms`);
  }
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

/** Resolves on 'drain'; rejects if the request dies first, so the writer never hangs. */
function waitForDrain(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      req.off('drain', onDrain);
      req.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('request closed while sending the body'));
    };
    req.on('drain', onDrain);
    req.on('close', onClose);
  });
}

async function writeWebBody(stream: WebByteStream, req: http.ClientRequest): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      if (req.destroyed) throw new Error('request closed while sending the body');
      const { done, value } = await reader.read();
      if (done) break;
      if (!req.write(value)) await waitForDrain(req);
    }
    req.end();
  } catch (err) {
    reader.cancel(err).catch(() => {});
    req.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

function sendBody(body: Body | undefined, req: http.ClientRequest): void {
  if (body === undefined) {
    req.end();
    return;
  }
  if (body instanceof RuntimeBody && body.native instanceof Readable) {
    const source = body.native;
    // pipe() does not forward source errors; a failed upload must not look complete.
    source.once('error', (err) => req.destroy(err));
    source.pipe(req);
    return;
  }
  void writeWebBody(body instanceof RuntimeBody ? body.toWeb() : body, req);
}

export function createNodeHttpClient(options: NodeHttpClientOptions = {}): NodeHttpClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  // The agent's `timeout` applies to pooled sockets (each request sets its own idle timeout).
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 128, timeout: options.keepAliveMs ?? 4000 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  function request(out: OutboundRequest): Promise<OutboundResponse> {
    return new Promise<OutboundResponse>((resolve, reject) => {
      const signal = out.signal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const target = parseTarget(out.url);
      const req = (target.secure ? https : http).request({
        agent: target.secure ? httpsAgent : httpAgent,
        method: out.method,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        headers: out.headers,
      });
      let response: http.IncomingMessage | undefined;
      let connectTimer: ReturnType<typeof setTimeout> | undefined;

      // Fail the request, and the response body if it is already flowing.
      const fail = (err: Error) => {
        clearTimeout(connectTimer);
        response?.destroy(err);
        req.destroy(err);
      };
      const onAbort = () => fail(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const release = () => signal?.removeEventListener('abort', onAbort);

      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) return; // a pooled keep-alive socket
        connectTimer = setTimeout(() => fail(new HttpTimeoutError('connect', connectTimeoutMs)), connectTimeoutMs);
        socket.once(target.secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      // Socket inactivity for as long as this exchange holds the socket, response body included.
      req.setTimeout(idleTimeoutMs, () => fail(new HttpTimeoutError('idle', idleTimeoutMs)));

      req.on('error', (err) => {
        clearTimeout(connectTimer);
        release();
        reject(err);
      });
      req.on('response', (res) => {
        clearTimeout(connectTimer);
        response = res;
        res.once('close', release);
        // Errors after this point belong to the body's reader; keep them from going unhandled here.
        res.on('error', () => {});
        resolve({
          status: res.statusCode ?? 0,
          headers: toHeaderMap(res.headers),
          body: new RuntimeBody(
            res,
            () => Readable.toWeb(res) as unknown as WebByteStream,
            () => res.destroy(),
          ),
        });
      });

      sendBody(out.body, req);
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
