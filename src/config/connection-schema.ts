/**
 * Connections as the configuration sees them: every kind shares `type` and
 * `readOnly`, and the rest of its settings belong to the backend plug-in
 * that declares the kind. The schema of the `connections` section is the
 * discriminated union of the kinds a runtime registers, so a Workers runtime
 * rejects `type: fs` while the Node runtime accepts it.
 */
import { z } from 'zod';
import { cacheSchema } from './cache-schema.ts';

/** What the core knows of any connection: its kind and whether it refuses writes; the rest is opaque. */
export const connectionSettingsSchema = z.looseObject({
  type: z.string(),
  readOnly: z.boolean(),
  /** Largest object one PutObject may store; absent: the default for the kind (`core/upload/size-limit.ts`). */
  maxObjectSize: z.number().optional(),
  /** The hot-range cache for the connection's buckets (`config/cache-schema.ts`); absent: off unless a bucket turns it on. */
  cache: cacheSchema.optional(),
});

export type ConnectionSettings = z.output<typeof connectionSettingsSchema>;

/** The schema a connection kind declares: a strict object with its `type` literal and `readOnly`. */
export type ConnectionSchema = z.ZodObject<
  { type: z.ZodLiteral<string>; readOnly: z.ZodDefault<z.ZodBoolean>; maxObjectSize: z.ZodOptional<z.ZodNumber>; cache: z.ZodOptional<typeof cacheSchema> },
  z.core.$strict
>;

/** A connection kind's schema: `type`, `readOnly` (default false), `maxObjectSize` and `cache`, then the kind's own fields. */
export function connectionSchema<T extends string, F extends z.ZodRawShape>(type: T, fields: F) {
  return z.strictObject({
    type: z.literal(type),
    readOnly: z.boolean().default(false),
    maxObjectSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    cache: cacheSchema.optional(),
    ...fields,
  });
}

/** What validation needs to know of a connection kind (a backend plug-in is one). */
export interface ConnectionKind {
  readonly type: string;
  readonly configSchema: ConnectionSchema;
  /**
   * Settings that name a local directory: resolved against the config
   * file's folder, and checked to exist where the runtime can tell.
   */
  readonly directories?: readonly string[];
}

/** The kinds a runtime offers, e.g. a backend registry. */
export interface ConnectionKinds {
  readonly plugins: readonly ConnectionKind[];
}

/** The union of the registered kinds, in name order so messages list them alike on every runtime. */
export function connectionUnionSchema(kinds: ConnectionKinds): z.ZodType<ConnectionSettings> {
  const schemas = [...kinds.plugins].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)).map((kind) => kind.configSchema);
  if (schemas.length === 0) throw new TypeError('no connection kinds are registered');
  return z.discriminatedUnion('type', schemas as [ConnectionSchema, ...ConnectionSchema[]]);
}

/** The kind a (possibly invalid) connection mapping names, if it is registered. */
export function kindOf(kinds: ConnectionKinds, connection: unknown): ConnectionKind | undefined {
  const type = typeof connection === 'object' && connection !== null ? (connection as { type?: unknown }).type : undefined;
  return kinds.plugins.find((kind) => kind.type === type);
}
