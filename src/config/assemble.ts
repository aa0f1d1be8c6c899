/**
 * The parsed document (map form, defaults applied) turned into the
 * `SluiceConfig` the gateway runs on: names copied into entries, and local
 * paths (the SQLite file, directories a connection kind names, cache disk
 * folders) resolved
 * against the config file's folder. Field renames happen in the schemas, so
 * the types stay inferred.
 */
import type { BucketConfig, ConnectionConfig, SluiceConfig } from '../core/config.ts';
import type { ConnectionKinds } from './connection-schema.ts';
import { kindOf } from './connection-schema.ts';
import type { Role } from '../sts/role.ts';
import type { ConfigDocument } from './schema.ts';
import type { CacheSection } from './cache-schema.ts';

type ResolvePath = (baseDir: string, path: string) => string;

/** `stsRoles`: the `sts` section's roles, as its cross-checks validated them. */
export function assembleConfig(document: ConfigDocument, kinds: ConnectionKinds, baseDir: string, resolvePath: ResolvePath, stsRoles: Role[] = []): SluiceConfig {
  const { sqlitePath, ...policy } = document.policy;
  return {
    server: document.server,
    connections: Object.fromEntries(
      Object.entries(document.connections).map(([name, settings]): [string, ConnectionConfig] => {
        const connection: ConnectionConfig = { ...settings, name, ...withDiskResolved(settings.cache, baseDir, resolvePath) };
        for (const field of kindOf(kinds, settings)?.directories ?? []) {
          const path = connection[field];
          if (typeof path === 'string') connection[field] = resolvePath(baseDir, path);
        }
        return [name, connection];
      }),
    ),
    buckets: Object.entries(document.buckets).map(([key, bucket]): BucketConfig => ({
      ...bucket, name: bucket.name ?? key, ...withDiskResolved(bucket.cache, baseDir, resolvePath),
    })),
    accounts: Object.entries(document.accounts).map(([name, account]) => ({ name, ...account })),
    accessKeys: Object.entries(document.accessKeys).map(([accessKeyId, key]) => ({ accessKeyId, ...key })),
    policy: sqlitePath === undefined ? policy : { sqlitePath: resolvePath(baseDir, sqlitePath), ...policy },
    ...(document.sts !== undefined && { sts: { ...document.sts, roles: stsRoles } }),
    ...(document.issuer !== undefined && { issuer: document.issuer }),
    ...(document.admin !== undefined && { admin: document.admin }),
    ...(document.metrics !== undefined && { metrics: document.metrics }),
    ...(document.limits !== undefined && { limits: document.limits }),
    ...(document.quotas !== undefined && { quotas: document.quotas }),
    ...(document.metering !== undefined && {
      metering: document.metering.sink.type === 'file'
        ? { ...document.metering, sink: { ...document.metering.sink, path: resolvePath(baseDir, document.metering.sink.path) } }
        : document.metering,
    }),
    ...(document.console !== undefined && { console: document.console }),
  };
}

/** A `cache` section whose disk folder is resolved against the config file's folder (nothing when it has none). */
function withDiskResolved(cache: CacheSection | undefined, baseDir: string, resolvePath: ResolvePath): { cache?: CacheSection } {
  if (cache?.disk === undefined) return {};
  return { cache: { ...cache, disk: { ...cache.disk, path: resolvePath(baseDir, cache.disk.path) } } };
}
