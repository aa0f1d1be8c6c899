/**
 * The S3 backend as a plug-in: `type: s3` with endpoint, region, bucket,
 * addressing style, a base prefix and optional static keys. Every S3
 * connection uses the runtime's one HTTP client, so keep-alive pools are
 * shared.
 */
import { z } from 'zod';
import { connectionSchema } from '../../config/connection-schema.ts';
import { bucketNameProblem, endpointProblem, normalizePrefix, prefixProblem, regionProblem } from '../../config/rules.ts';
import { nonEmpty, ruled } from '../../config/schema-parts.ts';
import { defineBackendPlugin, type ConnectionOf } from '../plugin.ts';
import { S3Backend } from './s3-backend.ts';

export const s3CredentialsSchema = z.strictObject({
  accessKeyId: nonEmpty('accessKeyId'),
  secretAccessKey: nonEmpty('secretAccessKey'),
  sessionToken: nonEmpty('sessionToken').optional(),
});

export const s3ConnectionSchema = connectionSchema('s3', {
  /** Service URL, http or https, e.g. `https://s3.us-west-2.amazonaws.com`. */
  endpoint: ruled(endpointProblem),
  region: ruled(regionProblem),
  /** The bucket in the backend store. */
  bucket: ruled(bucketNameProblem),
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key`. */
  forcePathStyle: z.boolean().default(false),
  /** Base prefix within the backend bucket: "" or ending in "/". */
  prefix: ruled(prefixProblem).transform(normalizePrefix).default(''),
  /** Absent: requests go unsigned, which suits public data (and cannot write). */
  credentials: s3CredentialsSchema.optional(),
});

export type S3ConnectionConfig = ConnectionOf<typeof s3ConnectionSchema>;

export const s3BackendPlugin = defineBackendPlugin({
  type: 's3',
  configSchema: s3ConnectionSchema,
  create: (connection, services) =>
    new S3Backend({
      endpoint: connection.endpoint,
      region: connection.region,
      bucket: connection.bucket,
      forcePathStyle: connection.forcePathStyle,
      prefix: connection.prefix,
      readOnly: connection.readOnly,
      http: services.httpClient(),
      now: services.now,
      // Absent credentials: unsigned requests, which can read public data but never write.
      ...(connection.credentials !== undefined && { credentials: { ...connection.credentials } }),
    }),
});
