/**
 * The server's limits in the runtime's units.
 */
import type { ServerConfig } from '../../core/config.ts';
import type { UploadLimits } from './upload-guard.ts';

export interface ServerLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  upload: UploadLimits;
}

export function serverLimits(server: ServerConfig): ServerLimits {
  return {
    maxConnections: server.maxConnections,
    headersTimeoutMs: server.headersTimeoutSeconds * 1000,
    upload: {
      idleTimeoutMs: server.bodyIdleTimeoutSeconds * 1000,
      minBytesPerSecond: server.bodyMinBytesPerSecond,
      graceMs: server.bodyMinRateGraceSeconds * 1000,
    },
  };
}

/**
 * `node:http` timeouts. Headers must arrive within `headersTimeoutMs`, which
 * also closes connections that never send a request. There is no overall
 * request timeout: it would cut long uploads at a healthy rate, and the
 * upload guard bounds slow bodies instead. Node checks the headers deadline
 * periodically; a quarter of it keeps the check close to the limit.
 */
export function httpServerTimeouts(limits: ServerLimits) {
  return {
    keepAliveTimeout: 5_000,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: 0,
    connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.floor(limits.headersTimeoutMs / 4))),
  };
}
