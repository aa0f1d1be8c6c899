/**
 * The Node server: the app (`src/app/`) built with Node's services, and
 * `node:http` bound directly to its gateway, with graceful shutdown: stop
 * accepting, end each connection once its in-flight requests have finished,
 * and cut whatever remains when the grace period ends. It also holds the
 * line against clients that would tie it up: HTTP/1.x only, a cap on
 * connections, a deadline for headers and a pace for uploads. `reload`
 * swaps in an app built from a new configuration without dropping a
 * connection: new requests go to the new app, and the old one is closed once
 * the requests it was serving have finished.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AccessControl } from '../../app/access-control.ts';
import { type App, createApp } from '../../app/create-app.ts';
import type { Backend } from '../../core/backend.ts';
import type { SluiceConfig } from '../../core/config.ts';
import type { GatewayOptions } from '../../core/gateway.ts';
import type { LogSink } from '../../core/runtime.ts';
import { failResponse, handleNodeRequest, hasBody } from './bridge.ts';
import { refuseConnection } from './connection-cap.ts';
import { createJsonLineLog } from './json-line-log.ts';
import { httpServerTimeouts, serverLimits } from './server-limits.ts';
import { createNodeServices } from './services.ts';
import { guardUpload } from './upload-guard.ts';
import { type NodeMetrics, addNodeMetrics, createMetricsServer } from './node-metrics.ts';

export interface StartOptions {
  /** host:port, overriding `server.listen`. Port 0 picks a free port. */
  listen?: string;
  /** Backends by connection name; built from the config when absent. */
  backends?: ReadonlyMap<string, Backend>;
  /** Where request and error events go; JSON lines on stdout (batched) when absent. */
  log?: LogSink;
  /** Further gateway options (authentication, policy stores) added by the CLI or tests. */
  gateway?: Partial<GatewayOptions>;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  /** The server's policy store, authentication and in-process key management. */
  access: AccessControl;
  /** Stop accepting, drain in-flight requests (up to the grace period), then close. */
  close(): Promise<void>;
  /** `http://host:port` of the metrics listener, when `metrics.listen` is set. */
  metricsUrl?: string;
  /** Write out log lines the sink holds back, so that lines written elsewhere keep their order. */
  flushLog(): void;
  /**
   * Serve a new configuration from the next request on. The listen address
   * and connection limits stay as started (they belong to the socket); a
   * configuration that fails to build leaves the running one in place.
   */
  reload(config: SluiceConfig): Promise<void>;
}

/**
 * Only HTTP/1.x is served. An HTTP/0.9 request has no headers and its reply
 * no status line, so anything sent back would be taken as the object:
 * close without a byte. Later major versions get 505.
 */
function refuseVersion(req: IncomingMessage, res: ServerResponse): void {
  if (req.httpVersionMajor < 1) {
    req.socket.destroy();
    return;
  }
  res.writeHead(505, { connection: 'close', 'content-length': '0' });
  res.end();
}

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  if (!match) throw new TypeError(`listen address must be host:port, got "${listen}"`);
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}

export async function startServer(config: SluiceConfig, options: StartOptions = {}): Promise<RunningServer> {
  let draining = false;
  // Without a sink from the caller the server owns one on stdout, flushed when it closes.
  const log = options.log ?? createJsonLineLog(process.stdout);
  const services = createNodeServices(log);
  // Requests in progress per connection, so draining can end each connection
  // gracefully (after its last response is flushed) once it falls idle.
  const active = new Map<Socket, number>();
  const buildApp = async (cfg: SluiceConfig, previous?: App & { nodeMetrics: NodeMetrics | undefined }) => {
    const built = await createApp(cfg, services, {
      ...(options.backends !== undefined && { backends: options.backends }),
      gateway: { isReady: () => !draining, ...options.gateway },
      ...(previous?.metrics && { previousMetrics: previous.metrics }),
    });
    // Metrics carried over from the app a reload replaces already hold this runtime's series.
    const nodeMetrics = !built.metrics ? undefined
      : built.metrics === previous?.metrics ? previous.nodeMetrics
      : addNodeMetrics(built.metrics.registry, () => active.size);
    return Object.assign(built, { nodeMetrics });
  };
  const app = await buildApp(config);
  // The app serving new requests, and how many requests each app still has in progress.
  let current = { app, inFlight: 0, retired: undefined as (() => void) | undefined };
  const nodeMetrics = (): NodeMetrics | undefined => current.app.nodeMetrics;
  let grace = config.server.shutdownGraceSeconds;

  const limits = serverLimits(config.server);
  // Connections over the limit: told to slow down, and nothing they send is served.
  const refused = new WeakSet<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (refused.has(socket)) return;
    if (req.httpVersionMajor !== 1) {
      refuseVersion(req, res);
      return;
    }
    active.set(socket, (active.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const remaining = (active.get(socket) ?? 1) - 1;
      active.set(socket, remaining);
      if (draining && remaining === 0) socket.end();
    });
    if (hasBody(req)) {
      guardUpload(req, limits.upload, (violation) => {
        log.write({ level: 'warn', msg: 'upload cut', violation, ip: socket.remoteAddress });
      });
    }
    const serving = current;
    serving.inFlight++;
    res.once('close', () => {
      if (--serving.inFlight === 0) serving.retired?.();
    });
    // handleNodeRequest settles every failure itself; this is the last line of defence.
    handleNodeRequest(serving.app.gateway, req, res, log).catch((error: unknown) => {
      log.write({ level: 'error', msg: 'response failed', error: String(error) });
      failResponse(res);
    });
  };

  const server = createServer(httpServerTimeouts(limits), onRequest);
  // S3 ignores Expect values other than 100-continue; Node would answer 417 unless we take them.
  server.on('checkExpectation', onRequest);
  server.on('connection', (socket: Socket) => {
    if (active.size >= limits.maxConnections) {
      nodeMetrics()?.connectionsRefused.inc();
      refused.add(socket);
      refuseConnection(socket);
      return;
    }
    active.set(socket, 0);
    socket.once('close', () => active.delete(socket));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || refused.has(socket as Socket)) socket.destroy();
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  const { host, port } = parseListen(options.listen ?? config.server.listen);
  // `/.metrics` on a listener of its own, when configured; fixed at start like the S3 listener.
  const metricsServer = config.metrics?.enabled && config.metrics.listen !== undefined ? createMetricsServer(() => current.app.metrics?.registry) : undefined;
  try {
    await listenOn(server, host, port);
    if (metricsServer) {
      const at = parseListen(config.metrics!.listen!);
      await listenOn(metricsServer, at.host, at.port);
    }
  } catch (error) {
    // Not listening: release the policy database and outbound connections, and write out what start-up logged.
    if (server.listening) server.close();
    if (metricsServer?.listening) metricsServer.close();
    await current.app.close();
    services.close();
    log.flush?.();
    throw error;
  }
  const address = server.address() as AddressInfo;

  return {
    url: urlOf(address),
    port: address.port,
    server,
    ...(metricsServer && { metricsUrl: urlOf(metricsServer.address() as AddressInfo) }),
    get access() {
      return current.app.access;
    },
    flushLog: () => log.flush?.(),
    async reload(next) {
      if (draining) throw new Error('the server is shutting down');
      const fresh = await buildApp(next, current.app);
      const old = current;
      current = { app: fresh, inFlight: 0, retired: undefined };
      grace = next.server.shutdownGraceSeconds;
      // The old app's policy store and caches go once its last request is done (or the grace period ends).
      await new Promise<void>((resolve) => {
        if (old.inFlight === 0) return resolve();
        const timer = setTimeout(resolve, grace * 1000);
        old.retired = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      await old.app.close();
    },
    async close() {
      if (draining) return;
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      for (const [socket, requests] of active) if (requests === 0) socket.end();
      const graceMs = grace * 1000;
      const deadline = setTimeout(() => {
        for (const socket of active.keys()) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(deadline);
      await current.app.close();
      services.close();
      log.flush?.();
    },
  };
}

function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
