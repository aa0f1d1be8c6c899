/**
 * One backend per configured connection, for the Node runtime (which can
 * offer the file-system backend as well as the portable ones). S3
 * connections share one HTTP client, so its keep-alive pools serve them all.
 */
import type { Backend } from '../../core/backend.ts';
import type { ConnectionConfig, S3Connection, SluiceConfig } from '../../core/config.ts';
import type { HttpClient } from '../../core/http.ts';
import type { LogSink } from '../../core/runtime.ts';
import { FsBackend } from '../../backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../backends/memory/memory-backend.ts';
import type { S3RetryOptions } from '../../backends/s3/options.ts';
import { S3Backend } from '../../backends/s3/s3-backend.ts';
import { createNodeHttpClient } from './http-client.ts';

export interface BackendDependencies {
  /** Makes the HTTP client for S3 connections (default `createNodeHttpClient`); `createBackends` calls it at most once. */
  createHttpClient?: () => HttpClient;
  /** Where S3 connections log their circuit breaker's state changes. */
  log?: LogSink;
}

export function createBackend(connection: ConnectionConfig, dependencies: BackendDependencies = {}): Backend {
  switch (connection.type) {
    case 'fs':
      return new FsBackend({ root: connection.root, readOnly: connection.readOnly });
    case 'memory':
      return new MemoryBackend({ readOnly: connection.readOnly });
    case 's3':
      return createS3Backend(connection, (dependencies.createHttpClient ?? createNodeHttpClient)(), dependencies.log);
  }
}

export function createBackends(config: SluiceConfig, dependencies: BackendDependencies = {}): Map<string, Backend> {
  const create = dependencies.createHttpClient ?? createNodeHttpClient;
  let http: HttpClient | undefined;
  // Created only when some connection is S3, and then once for all of them.
  const shared = () => (http ??= create());
  return new Map(
    Object.entries(config.connections).map(([name, connection]) => [
      name,
      connection.type === 's3' ? createS3Backend(connection, shared(), dependencies.log) : createBackend(connection),
    ]),
  );
}

function createS3Backend(connection: S3Connection, http: HttpClient, log: LogSink | undefined): S3Backend {
  const breaker = connection.circuitBreaker;
  const retry: S3RetryOptions = {};
  if (connection.retries !== undefined) retry.attempts = connection.retries + 1;
  if (connection.retryDeadlineMs !== undefined) retry.deadlineMs = connection.retryDeadlineMs;
  return new S3Backend({
    name: connection.name,
    endpoint: connection.endpoint,
    region: connection.region,
    bucket: connection.bucket,
    forcePathStyle: connection.forcePathStyle,
    prefix: connection.prefix,
    readOnly: connection.readOnly,
    http,
    retry,
    ...(connection.connectTimeoutMs !== undefined && { connectTimeoutMs: connection.connectTimeoutMs }),
    ...(connection.responseTimeoutMs !== undefined && { responseTimeoutMs: connection.responseTimeoutMs }),
    ...(connection.idleTimeoutMs !== undefined && { idleTimeoutMs: connection.idleTimeoutMs }),
    ...(breaker !== undefined && {
      circuitBreaker: breaker.enabled
        ? { failureThreshold: breaker.failureThreshold, coolDownMs: breaker.coolDownMs, affectsReadiness: breaker.affectsReadiness }
        : false as const,
    }),
    ...(log !== undefined && { log }),
    // Absent credentials: unsigned requests, which can read public data but never write.
    ...(connection.credentials !== undefined && { credentials: { ...connection.credentials } }),
  });
}
