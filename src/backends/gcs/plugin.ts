/**
 * The Google Cloud Storage backend as a plug-in: `type: gcs` with the
 * bucket, the JSON API endpoint (default `https://storage.googleapis.com`),
 * a base prefix, the multipart area, and how to authorize: a service
 * account key, workload identity federation (Sluice's issuer token
 * exchanged at Google STS, then optionally a service account's token), or
 * nothing (public buckets: reads only). Every connection uses the runtime's
 * one HTTP client.
 */
import { z } from 'zod';
import { connectionSchema } from '../../config/connection-schema.ts';
import { endpointProblem, normalizePrefix, prefixProblem } from '../../config/rules.ts';
import { nonEmpty, ruled } from '../../config/schema-parts.ts';
import { type BackendServices, defineBackendPlugin, type ConnectionOf } from '../plugin.ts';
import type { GcsTokenProvider } from './auth.ts';
import { GcsBackend } from './gcs-backend.ts';
import { gcsBucketProblem } from './options.ts';
import { serviceAccountKeyProblem, serviceAccountTokens, type ServiceAccountKey } from './service-account.ts';

/** The key file's JSON, as text (e.g. from `${env:NAME}`) or as a mapping. */
const keyFileSchema = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .transform((value, ctx) => {
    let parsed: unknown = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be the service account key file (JSON)' });
        return z.NEVER;
      }
    }
    const problem = serviceAccountKeyProblem(parsed);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return parsed as ServiceAccountKey;
  });

const providerPattern = /^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/;
const serviceAccountPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$|^[^@\s]+@[^@\s]+$/;

export const gcsAuthSchema = z.discriminatedUnion('type', [
  /** A service account key: Sluice signs a JWT assertion with it and exchanges it for access tokens. */
  z.strictObject({
    type: z.literal('serviceAccountKey'),
    key: keyFileSchema,
    /** Overrides the key's `token_uri` (tests). */
    tokenUri: ruled(endpointProblem).optional(),
  }),
  /** Workload identity federation: Sluice's own token exchanged at Google STS. */
  z.strictObject({
    type: z.literal('workload-identity'),
    audience: z.string().regex(providerPattern, {
      error: 'must be a workload identity provider: //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER',
    }),
    /** The minted token's `aud`; default `https:` + audience. */
    tokenAudience: nonEmpty('tokenAudience').optional(),
    /** Impersonated with generateAccessToken; absent: the federated token is used directly. */
    serviceAccount: z.string().regex(serviceAccountPattern, { error: 'must be a service account e-mail address' }).optional(),
    stsEndpoint: ruled(endpointProblem).optional(),
    iamCredentialsEndpoint: ruled(endpointProblem).optional(),
    tokenLifetimeSeconds: z.number().int().min(600).max(43_200).optional(),
  }),
  /** Anonymous: public buckets, reads only. */
  z.strictObject({ type: z.literal('none') }),
]);

const multipartPrefixProblem = (value: string) => (value === '' || value.startsWith('/') ? 'must be a bucket-relative prefix, not "" and without a leading "/"' : undefined);

export const gcsConnectionSchema = connectionSchema('gcs', {
  bucket: ruled(gcsBucketProblem),
  /** JSON API root; absent: `https://storage.googleapis.com`. */
  endpoint: ruled(endpointProblem).optional(),
  /** Base prefix within the bucket: "" or ending in "/". */
  prefix: ruled(prefixProblem).transform(normalizePrefix).default(''),
  /** Where multipart uploads keep their parts, from the bucket root; never listed. */
  multipartPrefix: ruled(multipartPrefixProblem).transform(normalizePrefix).default('.sluice-multipart/'),
  auth: gcsAuthSchema.default({ type: 'none' }),
});

export type GcsConnectionConfig = ConnectionOf<typeof gcsConnectionSchema>;

function tokensOf(connection: GcsConnectionConfig, services: BackendServices): GcsTokenProvider | undefined {
  const { auth, name } = connection;
  switch (auth.type) {
    case 'none':
      return undefined;
    case 'serviceAccountKey':
      return serviceAccountTokens(auth.key, { http: () => services.httpClient(), now: services.now, ...(auth.tokenUri !== undefined && { tokenUri: auth.tokenUri }) });
    case 'workload-identity': {
      const google = services.credentials?.googleAccessToken;
      if (!google) throw new TypeError(`connection ${name}: auth type workload-identity needs the issuer section (Sluice signs the identity token)`);
      return google({
        connection: name,
        audience: auth.audience,
        ...(auth.tokenAudience !== undefined && { tokenAudience: auth.tokenAudience }),
        ...(auth.serviceAccount !== undefined && { serviceAccount: auth.serviceAccount }),
        ...(auth.stsEndpoint !== undefined && { stsEndpoint: auth.stsEndpoint }),
        ...(auth.iamCredentialsEndpoint !== undefined && { iamCredentialsEndpoint: auth.iamCredentialsEndpoint }),
        ...(auth.tokenLifetimeSeconds !== undefined && { tokenLifetimeSeconds: auth.tokenLifetimeSeconds }),
      });
    }
  }
}

export const gcsBackendPlugin = defineBackendPlugin({
  type: 'gcs',
  configSchema: gcsConnectionSchema,
  create: (connection, services) => {
    const tokens = tokensOf(connection, services);
    return new GcsBackend({
      bucket: connection.bucket,
      ...(connection.endpoint !== undefined && { endpoint: connection.endpoint }),
      prefix: connection.prefix,
      multipartPrefix: connection.multipartPrefix,
      readOnly: connection.readOnly,
      ...(tokens && { tokens }),
      http: services.httpClient(),
      now: services.now,
    });
  },
});
