/**
 * The validated configuration the gateway runs on. `src/config/` turns a YAML
 * or JSON document into this shape (reporting every problem at once); the
 * core only ever sees the validated form. Every type here is inferred from
 * the zod schemas, so the schema is the one place a field is defined; these
 * names only give the inferred shapes their place in the core. Connection
 * settings are opaque here: each backend plug-in owns its own.
 */
import type { z } from 'zod';
import type { connectionSettingsSchema } from '../config/connection-schema.ts';
import type { accessKeySchema, accountSchema, policySchema } from '../config/policy-schema.ts';
import type { bucketSchema, corsSchema, serverSchema } from '../config/schema.ts';
import type { StsSettings } from '../sts/config-schema.ts';
import type { IssuerConfig } from '../oidc/issuer/config-schema.ts';
import type { AdminConfig } from '../admin/config-schema.ts';
import type { limitsSchema, meteringSchema, metricsSchema, quotasSchema } from '../config/operations-schema.ts';

export type MetricsConfig = z.output<typeof metricsSchema>;
export type LimitsConfig = z.output<typeof limitsSchema>;
export type QuotasConfig = z.output<typeof quotasSchema>;
export type MeteringConfig = z.output<typeof meteringSchema>;
export type MeteringSinkConfig = MeteringConfig['sink'];
import type { ConsoleConfig } from '../console/config-schema.ts';

export type CorsConfig = z.output<typeof corsSchema>;

export type ServerConfig = z.output<typeof serverSchema>;

export type AddressingMode = ServerConfig['addressing'];

/** A connection: its `type`, `readOnly` and name; the other settings belong to the backend of that type. */
export type ConnectionConfig = z.output<typeof connectionSettingsSchema> & { name: string };

/** A bucket (in path-mapped mode, a product within `account`); `name` defaults to its key in the document. */
export type BucketConfig = Omit<z.output<typeof bucketSchema>, 'name'> & { name: string };

/** An account defined in the config file, with the grants it holds. */
export type AccountConfig = z.output<typeof accountSchema> & { name: string };

/** A long-lived access key defined in the config file (its secret usually from an environment variable). */
export type AccessKeyConfig = z.output<typeof accessKeySchema> & { accessKeyId: string };

/** Policy store settings; `sqlitePath` is absolute once validated. */
export type PolicyConfig = z.output<typeof policySchema>;

/** The document's sections with names carried into their entries and maps of entries turned into lists. */
export interface SluiceConfig {
  server: ServerConfig;
  connections: Record<string, ConnectionConfig>;
  buckets: BucketConfig[];
  accounts: AccountConfig[];
  accessKeys: AccessKeyConfig[];
  policy: PolicyConfig;
  /** Federated identity (the STS endpoint and session credentials); absent when not configured. */
  sts?: StsSettings;
  /** Sluice as an OIDC issuer; absent unless configured. */
  issuer?: IssuerConfig;
  /** The management API's operators; absent: none. */
  admin?: AdminConfig;
  /** Prometheus metrics and `Server-Timing`; absent: off. */
  metrics?: MetricsConfig;
  /** Rate limits; absent: none. */
  limits?: LimitsConfig;
  /** Account quotas; absent: none. */
  quotas?: QuotasConfig;
  /** Usage records; absent: none. */
  metering?: MeteringConfig;
  /** The web console; absent unless configured. */
  console?: ConsoleConfig;
}
