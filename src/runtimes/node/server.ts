/**
 * The Node server: `node:http` bound directly to the core gateway, with
 * graceful shutdown: stop accepting, end each connection once its in-flight
 * requests have finished, and cut whatever remains when the grace period ends.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Backend } from '../../core/backend.ts';
import type { SluiceConfig } from '../../core/config.ts';
import { type GatewayOptions, createGateway } from '../../core/gateway.ts';
import type { LogSink } from '../../core/runtime.ts';
import { type AccessControl, createAccessControl } from './access-control.ts';
import { createBackends } from './backends.ts';
import { handleNodeRequest } from './bridge.ts';

export interface StartOptions {
  /** host:port, overriding `server.listen`. Port 0 picks a free port. */
  listen?: string;
  /** Backends by connection name; built from the config when absent. */
  backends?: ReadonlyMap<string, Backend>;
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
  /** Write out log lines the sink holds back, so that lines written elsewhere keep their order. */
  flushLog(): void;
}

/**
 * JSON lines on stdout, written in batches: when 64 KiB have gathered or
 * 50 ms have passed, whichever comes first, and at exit. One write per line
 * measured at a fifth of the throughput for small objects; a batch per
 * event-loop turn (setImmediate) kept the loop from ever waiting for I/O,
 * which cost as much.
 */
export const jsonLineLog: LogSink = (() => {
  const MAX_PENDING = 64 * 1024;
  const MAX_DELAY_MS = 50;
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    const lines = pending;
    pending = '';
    process.stdout.write(lines);
  };
  process.once('exit', flush);
  return {
    flush,
    write(event) {
      pending += `${JSON.stringify(event)}\n`;
      if (pending.length >= MAX_PENDING) flush();
      else timer ??= setTimeout(flush, MAX_DELAY_MS).unref();
    },
  };
})();

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  if (!match) throw new TypeError(`listen address must be host:port, got "${listen}"`);
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}

export async function startServer(config: SluiceConfig, options: StartOptions = {}): Promise<RunningServer> {
  let draining = false;
  const log = options.log ?? jsonLineLog;
  const access = await createAccessControl(config, log);
  const gateway = createGateway({
    config,
    backends: options.backends ?? createBackends(config, { log }),
    resolution: access.store,
    authenticate: access.authenticate,
    policy: access.policy,
    runtime: { log },
    isReady: () => !draining,
    ...options.gateway,
  });

  // Requests in progress per connection, so draining can end each connection
  // gracefully (after its last response is flushed) once it falls idle.
  const active = new Map<Socket, number>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    active.set(socket, (active.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const remaining = (active.get(socket) ?? 1) - 1;
      active.set(socket, remaining);
      if (draining && remaining === 0) socket.end();
    });
    handleNodeRequest(gateway, req, res).catch((error: unknown) => {
      log.write({ level: 'error', msg: 'response failed', error: String(error) });
      res.destroy();
    });
  };

  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 0, headersTimeout: 60_000 }, onRequest);
  // S3 ignores Expect values other than 100-continue; Node would answer 417 unless we take them.
  server.on('checkExpectation', onRequest);
  server.on('connection', (socket: Socket) => {
    active.set(socket, 0);
    socket.once('close', () => active.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const { host, port } = parseListen(options.listen ?? config.server.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    server,
    access,
    flushLog: () => log.flush?.(),
    async close() {
      if (draining) return;
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [socket, requests] of active) if (requests === 0) socket.end();
      const graceMs = config.server.shutdownGraceSeconds * 1000;
      const deadline = setTimeout(() => {
        for (const socket of active.keys()) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(deadline);
      await access.close();
      log.flush?.();
    },
  };
}
