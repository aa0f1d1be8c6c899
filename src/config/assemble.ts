/**
 * The parsed document (map form, defaults applied) turned into the
 * `SluiceConfig` the gateway runs on: names copied into entries, paths
 * resolved against the config file's folder, document fields renamed to
 * the runtime's terms (`secret` → `secretAccessKey`, `disabled` → `status`).
 */
import type {
  AccessKeyConfig,
  AccountConfig,
  BucketConfig,
  ConnectionConfig,
  PolicyConfig,
  SluiceConfig,
} from '../core/config.ts';
import type { PermissionStatement } from '../core/identity.ts';
import type { ConfigDocument } from './schema.ts';

type ResolvePath = (baseDir: string, path: string) => string;

export function assembleConfig(document: ConfigDocument, baseDir: string, resolvePath: ResolvePath): SluiceConfig {
  const { server } = document;
  return {
    server: {
      listen: server.listen,
      addressing: server.addressing,
      region: server.region,
      ...(server.allowedRegions !== undefined && { allowedRegions: server.allowedRegions }),
      accessLog: server.accessLog,
      shutdownGraceSeconds: server.shutdownGraceSeconds,
      ...(server.virtualHostDomain !== undefined && { virtualHostDomain: server.virtualHostDomain }),
      ...(server.cors !== undefined && { cors: server.cors }),
      ...(server.tokenSecret !== undefined && { tokenSecret: server.tokenSecret }),
    },
    connections: Object.fromEntries(
      Object.entries(document.connections).map(([name, connection]) => [name, toConnection(name, connection, baseDir, resolvePath)]),
    ),
    buckets: Object.entries(document.buckets).map(([key, bucket]): BucketConfig => {
      const config: BucketConfig = {
        name: bucket.name ?? key,
        connection: bucket.connection,
        prefix: bucket.prefix,
        public: bucket.public,
        readOnly: bucket.readOnly,
      };
      if (bucket.account !== undefined) config.account = bucket.account;
      if (bucket.region !== undefined) config.region = bucket.region;
      return config;
    }),
    accounts: Object.entries(document.accounts).map(
      ([name, account]): AccountConfig => ({ name, grants: account.grants.map(toStatement) }),
    ),
    accessKeys: Object.entries(document.accessKeys).map(([accessKeyId, key]): AccessKeyConfig => {
      const config: AccessKeyConfig = {
        accessKeyId,
        secretAccessKey: key.secret,
        account: key.account,
        label: key.label,
        status: key.disabled ? 'disabled' : 'active',
      };
      if (key.expires !== undefined) config.expiresAt = key.expires;
      if (key.ceiling !== undefined) config.ceiling = key.ceiling.map(toStatement);
      return config;
    }),
    policy: toPolicy(document.policy, baseDir, resolvePath),
  };
}

function toConnection(
  name: string,
  connection: ConfigDocument['connections'][string],
  baseDir: string,
  resolvePath: ResolvePath,
): ConnectionConfig {
  switch (connection.type) {
    case 'fs':
      return {
        type: 'fs',
        name,
        root: resolvePath(baseDir, connection.root),
        readOnly: connection.readOnly,
        ...(connection.maxObjectSize !== undefined && { maxObjectSize: connection.maxObjectSize }),
      };
    case 'memory':
      return { type: 'memory', name, readOnly: connection.readOnly, ...(connection.maxObjectSize !== undefined && { maxObjectSize: connection.maxObjectSize }) };
    case 's3': {
      const { endpoint, region, bucket, forcePathStyle, prefix, readOnly, credentials, circuitBreaker } = connection;
      return {
        type: 's3',
        name,
        endpoint,
        region,
        bucket,
        forcePathStyle,
        prefix,
        readOnly,
        ...definedOnly({
          maxObjectSize: connection.maxObjectSize,
          connectTimeoutMs: connection.connectTimeoutMs,
          responseTimeoutMs: connection.responseTimeoutMs,
          idleTimeoutMs: connection.idleTimeoutMs,
          retries: connection.retries,
          retryDeadlineMs: connection.retryDeadlineMs,
        }),
        ...(circuitBreaker !== undefined && {
          circuitBreaker: {
            enabled: circuitBreaker.enabled,
            affectsReadiness: circuitBreaker.affectsReadiness,
            ...definedOnly({ failureThreshold: circuitBreaker.failureThreshold, coolDownMs: circuitBreaker.coolDownMs }),
          },
        }),
        ...(credentials !== undefined && {
          credentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            ...(credentials.sessionToken !== undefined && { sessionToken: credentials.sessionToken }),
          },
        }),
      };
    }
  }
}

/** The fields that were given (exactOptionalPropertyTypes-friendly). */
function definedOnly<T extends Record<string, number | undefined>>(fields: T): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: number };
}

/** Only the statement's own fields, `prefixes` left out when not given. */
function toStatement(statement: { bucket: string; actions: PermissionStatement['actions']; prefixes?: string[] | undefined }): PermissionStatement {
  return statement.prefixes === undefined
    ? { bucket: statement.bucket, actions: [...statement.actions] }
    : { bucket: statement.bucket, actions: [...statement.actions], prefixes: [...statement.prefixes] };
}

function toPolicy(policy: ConfigDocument['policy'], baseDir: string, resolvePath: ResolvePath): PolicyConfig {
  const config: PolicyConfig = { cacheTtlSeconds: policy.cacheTtlSeconds };
  if (policy.sqlitePath !== undefined) config.sqlitePath = resolvePath(baseDir, policy.sqlitePath);
  if (policy.masterKey !== undefined) config.masterKey = policy.masterKey;
  return config;
}
