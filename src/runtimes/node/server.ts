/**
 * The Node server: `node:http` bound directly to the core gateway, with
 * graceful shutdown (stop accepting, let in-flight requests finish within the
 * grace period, then cut what remains).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Backend } from '../../core/backend.ts';
import type { SluiceConfig } from '../../core/config.ts';
import { type GatewayOptions, createGateway } from '../../core/gateway.ts';
import type { LogSink } from '../../core/runtime.ts';
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
  /** Stop accepting, drain in-flight requests (up to the grace period), then close. */
  close(): Promise<void>;
}

export const jsonLineLog: LogSink = {
  write(event) {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  },
};

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  if (!match) throw new TypeError(`listen address must be host:port, got "${listen}"`);
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}

export async function startServer(config: SluiceConfig, options: StartOptions = {}): Promise<RunningServer> {
  let draining = false;
  const log = options.log ?? jsonLineLog;
  const gateway = createGateway({
    config,
    backends: options.backends ?? createBackends(config),
    runtime: { log },
    isReady: () => !draining,
    ...options.gateway,
  });

  let inFlight = 0;
  let drained: (() => void) | undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (draining && inFlight === 0) drained?.();
    });
    handleNodeRequest(gateway, req, res).catch((error: unknown) => {
      log.write({ level: 'error', msg: 'response failed', error: String(error) });
      res.destroy();
    });
  };

  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 0, headersTimeout: 60_000 }, onRequest);
  // S3 ignores Expect values other than 100-continue; Node would answer 417 unless we take them.
  server.on('checkExpectation', onRequest);
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
    async close() {
      if (draining) return;
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const graceMs = config.server.shutdownGraceSeconds * 1000;
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
