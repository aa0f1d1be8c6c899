/**
 * One backend per configured connection, for the Node runtime (which can
 * offer the file-system backend as well as the portable ones). S3
 * connections share one HTTP client, so its keep-alive pools serve them all.
 */
import type { Backend } from '../../core/backend.ts';
import type { ConnectionConfig, S3Connection, SluiceConfig } from '../../core/config.ts';
import type { HttpClient } from '../../core/http.ts';
import { FsBackend } from '../../backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../backends/memory/memory-backend.ts';
import { S3Backend } from '../../backends/s3/s3-backend.ts';
import { createNodeHttpClient } from './http-client.ts';

export interface BackendDependencies {
  /** Makes the HTTP client for S3 connections (default `createNodeHttpClient`); `createBackends` calls it at most once. */
  createHttpClient?: () => HttpClient;
}

export function createBackend(connection: ConnectionConfig, dependencies: BackendDependencies = {}): Backend {
  switch (connection.type) {
    case 'fs':
      return new FsBackend({ root: connection.root, readOnly: connection.readOnly });
    case 'memory':
      return new MemoryBackend({
        readOnly: connection.readOnly,
        ...(connection.maxBytes !== undefined && { maxBytes: connection.maxBytes }),
      });
    case 's3':
      return createS3Backend(connection, (dependencies.createHttpClient ?? createNodeHttpClient)());
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
      connection.type === 's3' ? createS3Backend(connection, shared()) : createBackend(connection),
    ]),
  );
}

function createS3Backend(connection: S3Connection, http: HttpClient): S3Backend {
  return new S3Backend({
    endpoint: connection.endpoint,
    region: connection.region,
    bucket: connection.bucket,
    forcePathStyle: connection.forcePathStyle,
    prefix: connection.prefix,
    readOnly: connection.readOnly,
    http,
    // Absent credentials: unsigned requests, which can read public data but never write.
    ...(connection.credentials !== undefined && { credentials: { ...connection.credentials } }),
  });
}
