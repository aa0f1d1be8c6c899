/**
 * Building validated configs in tests without going through a file.
 */
import type { BucketConfig, ConnectionConfig, ServerConfig, SluiceConfig } from '../../src/core/config.ts';

export function serverConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    listen: '127.0.0.1:0',
    addressing: 'path',
    region: 'us-east-1',
    accessLog: false,
    shutdownGraceSeconds: 5,
    ...overrides,
  };
}

export function bucket(name: string, overrides: Partial<BucketConfig> = {}): BucketConfig {
  return { name, connection: 'main', prefix: '', public: true, readOnly: false, ...overrides };
}

export function testConfig(parts: {
  buckets: BucketConfig[];
  connections?: Record<string, ConnectionConfig>;
  server?: Partial<ServerConfig>;
}): SluiceConfig {
  return {
    server: serverConfig(parts.server),
    connections: parts.connections ?? { main: { type: 'memory', name: 'main', readOnly: false } },
    buckets: parts.buckets,
  };
}
