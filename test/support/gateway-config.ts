/**
 * Building validated configs in tests without going through a file.
 */
import type {
  AccessKeyConfig,
  AccountConfig,
  BucketConfig,
  ConnectionConfig,
  PolicyConfig,
  ServerConfig,
  SluiceConfig,
} from '../../src/core/config.ts';
import { SERVER_LIMIT_DEFAULTS } from '../../src/config/server-limits.ts';

export function serverConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    listen: '127.0.0.1:0',
    addressing: 'path',
    region: 'us-east-1',
    accessLog: false,
    shutdownGraceSeconds: 5,
    ...SERVER_LIMIT_DEFAULTS,
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
  accounts?: AccountConfig[];
  accessKeys?: AccessKeyConfig[];
  policy?: Partial<PolicyConfig>;
}): SluiceConfig {
  return {
    server: serverConfig(parts.server),
    connections: parts.connections ?? { main: { type: 'memory', name: 'main', readOnly: false } },
    buckets: parts.buckets,
    accounts: parts.accounts ?? [],
    accessKeys: parts.accessKeys ?? [],
    policy: { cacheTtlSeconds: 30, ...parts.policy },
  };
}
