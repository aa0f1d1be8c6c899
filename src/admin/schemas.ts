/**
 * The management API's request and response shapes, as zod schemas: request
 * bodies are validated with them (every problem reported at once), and the
 * OpenAPI document's component schemas are generated from them, so the two
 * cannot drift apart.
 */
import { z } from 'zod';
import { CLAIM_PROFILES } from '../oidc/provider-config.ts';
import { CLAIM_OPERATORS } from '../sts/claim-match.ts';
import { newIdentityProviderSchema } from '../sts/idp-registration.ts';

const time = z.string().describe('ISO 8601 time (UTC)');
const nullableTime = time.nullable();

export const problemSchema = z.strictObject({ field: z.string(), message: z.string() });

export const errorSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(['BadRequest', 'ValidationFailed', 'Unauthenticated', 'Forbidden', 'NotFound', 'MethodNotAllowed', 'Conflict', 'NotAvailable', 'InternalError']),
    message: z.string(),
    problems: z.array(problemSchema).optional(),
  }),
  requestId: z.string(),
});

export const callerSchema = z.strictObject({
  account: z.string(),
  operator: z.boolean(),
  via: z.enum(['access-key', 'session', 'api-key']),
});

export const roleSummarySchema = z.strictObject({
  urn: z.string(),
  name: z.string(),
  source: z.enum(['file', 'store']),
  description: z.string().nullable(),
  updatedAt: nullableTime,
});
export const roleListSchema = z.strictObject({ roles: z.array(roleSummarySchema) });
export const roleSchema = z.strictObject({
  urn: z.string(),
  source: z.enum(['file', 'store']),
  updatedAt: nullableTime,
  definition: z.record(z.string(), z.unknown()),
});

/** The largest token the dry run reads: far above any identity token, far below the body limit. */
export const MAX_TEST_TOKEN_CHARS = 16 * 1024;
export const roleTokenTestInputSchema = z.strictObject({
  token: z.string().min(1, { error: 'paste a token' }).max(MAX_TEST_TOKEN_CHARS, { error: `must be at most ${MAX_TEST_TOKEN_CHARS} characters` }).describe('an identity token (JWT); never echoed back'),
});
export const roleTokenTestSchema = z.strictObject({
  allowed: z.boolean().describe('whether the exchange would issue credentials for this token'),
  binding: z.number().int().min(0).optional().describe('the index of the binding that accepts the token'),
  failures: z.array(z.strictObject({
    binding: z.number().int().min(0).describe('the index of the binding that refuses the token'),
    check: z.enum(['issuer', 'audience', 'signature', 'expired', 'constraint']),
    claim: z.string().optional(),
    operator: z.enum(CLAIM_OPERATORS).optional(),
    expected: z.string().optional().describe('the constraint\'s expected value'),
    detail: z.string(),
  })).describe('empty when allowed; otherwise every binding\'s refusal'),
});

const keyStatus = z.enum(['active', 'disabled', 'expired', 'revoked']);
export const accessKeySchema = z.strictObject({
  accessKeyId: z.string(),
  account: z.string(),
  label: z.string(),
  status: keyStatus,
  createdAt: time,
  expiresAt: nullableTime,
  revokedAt: nullableTime,
  lastUsedAt: nullableTime,
  readOnly: z.boolean(),
  prefixes: z.array(z.string()).nullable(),
});
export const accessKeyListSchema = z.strictObject({ accessKeys: z.array(accessKeySchema) });
export const accessKeyCreatedSchema = accessKeySchema.extend({ secretAccessKey: z.string().describe('shown only in this response') });
export const newAccessKeySchema = z.strictObject({
  label: z.string().max(200).default(''),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  readOnly: z.boolean().default(false),
  prefixes: z.array(z.string().min(1).max(1024)).max(20).default(() => []),
});

export const apiKeySchema = z.strictObject({
  jti: z.string(),
  account: z.string(),
  role: z.string().nullable(),
  label: z.string(),
  status: z.enum(['active', 'expired', 'revoked']),
  createdAt: time,
  expiresAt: nullableTime,
  revokedAt: nullableTime,
});
export const apiKeyListSchema = z.strictObject({ apiKeys: z.array(apiKeySchema) });
export const apiKeyCreatedSchema = apiKeySchema.extend({ token: z.string().describe('the API key; shown only in this response') });
export const newApiKeySchema = z.strictObject({
  label: z.string().max(200).default(''),
  role: z.string().min(1).optional().describe('a role name or URN of the account; the key may assume only that role'),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const identityProviderSchema = z.strictObject({
  id: z.string().describe('what the account\'s role bindings name it by'),
  account: z.string(),
  issuer: z.string().describe('compared exactly with a token\'s iss'),
  audiences: z.array(z.string()),
  claims: z.enum(CLAIM_PROFILES),
  local: z.boolean().describe('a plain-http issuer (tests only; registered by an operator)'),
  createdAt: time,
});
export const identityProviderListSchema = z.strictObject({ identityProviders: z.array(identityProviderSchema) });

export const grantListSchema = z.strictObject({
  grants: z.array(z.strictObject({ bucket: z.string(), actions: z.array(z.enum(['read', 'write'])), prefixes: z.array(z.string()).nullable() })),
});

export const bucketListSchema = z.strictObject({
  buckets: z.array(z.strictObject({ name: z.string(), public: z.boolean(), readOnly: z.boolean() })),
});

export const revokedSchema = z.strictObject({ revoked: z.boolean().describe('false when it was already revoked'), revokedAt: time });
export const deletedSchema = z.strictObject({ deleted: z.literal(true) });

/** Component name → schema, as the OpenAPI document names them. */
export const COMPONENTS = {
  Error: errorSchema,
  Caller: callerSchema,
  RoleList: roleListSchema,
  Role: roleSchema,
  RoleDefinition: z.record(z.string(), z.unknown()).describe('a role as `sts.roles` entries are written; account and name come from the path'),
  RoleTokenTestInput: roleTokenTestInputSchema,
  RoleTokenTest: roleTokenTestSchema,
  AccessKeyList: accessKeyListSchema,
  AccessKeyCreated: accessKeyCreatedSchema,
  NewAccessKey: newAccessKeySchema,
  ApiKeyList: apiKeyListSchema,
  ApiKeyCreated: apiKeyCreatedSchema,
  NewApiKey: newApiKeySchema,
  IdentityProviderList: identityProviderListSchema,
  IdentityProvider: identityProviderSchema,
  NewIdentityProvider: newIdentityProviderSchema,
  GrantList: grantListSchema,
  BucketList: bucketListSchema,
  Revoked: revokedSchema,
  Deleted: deletedSchema,
} as const;

export type ComponentName = keyof typeof COMPONENTS;
