/**
 * The management API's OpenAPI 3.1 document, served at
 * `/.admin/v1/openapi.json`. Paths are written out here; component schemas
 * are generated from the zod schemas requests are validated with
 * (`schemas.ts`). A test checks that every operation of the router is in the
 * document and every documented operation is in the router, and that the
 * responses the API gives validate against these schemas.
 */
import { z } from 'zod';
import { COMPONENTS, type ComponentName } from './schemas.ts';

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName) => ({ content: { 'application/json': { schema: ref(name) } } });
const param = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const account = param('account', 'the account acted on: the caller\'s own, or any for an operator');
const errors = {
  '400': { description: 'bad request or validation failure (every problem listed)', ...json('Error') },
  '401': { description: 'no or invalid credentials', ...json('Error') },
  '403': { description: 'the credentials may not manage this account', ...json('Error') },
  '404': { description: 'no such item in the account', ...json('Error') },
  '409': { description: 'defined in the configuration file: change it there', ...json('Error') },
  '501': { description: 'the server is not configured for this (database store, issuer, sts)', ...json('Error') },
};

function operation(operationId: string, summary: string, status: string, response: ComponentName, extra: Record<string, unknown> = {}) {
  return { operationId, summary, ...extra, responses: { [status]: { description: summary, ...json(response) }, ...errors } };
}

const PATHS = {
  '/whoami': {
    get: operation('whoAmI', 'the authenticated caller', '200', 'Caller'),
  },
  '/accounts/{account}/roles': {
    parameters: [account],
    get: operation('listRoles', 'the account\'s roles (configuration file and store)', '200', 'RoleList'),
  },
  '/accounts/{account}/roles/{name}': {
    parameters: [account, param('name', 'the role\'s name')],
    get: operation('getRole', 'a role\'s definition', '200', 'Role'),
    put: {
      ...operation('putRole', 'store a role (201 when new)', '200', 'Role', { requestBody: { required: true, ...json('RoleDefinition') } }),
      responses: {
        '200': { description: 'replaced', ...json('Role') },
        '201': { description: 'created', ...json('Role') },
        ...errors,
      },
    },
    delete: operation('deleteRole', 'delete a stored role', '200', 'Deleted'),
  },
  '/accounts/{account}/roles/{name}/test': {
    parameters: [account, param('name', 'the role\'s name')],
    post: operation('testRoleToken', 'dry run: would this identity token be allowed to assume the role? Verified as an exchange would, nothing issued', '200', 'RoleTokenTest', { requestBody: { required: true, ...json('RoleTokenTestInput') } }),
  },
  '/accounts/{account}/access-keys': {
    parameters: [account],
    get: operation('listAccessKeys', 'the account\'s access keys (never secrets)', '200', 'AccessKeyList'),
    post: operation('createAccessKey', 'create an access key; its secret is in this response only', '201', 'AccessKeyCreated', { requestBody: { required: false, ...json('NewAccessKey') } }),
  },
  '/accounts/{account}/access-keys/{accessKeyId}': {
    parameters: [account, param('accessKeyId', 'the access key id')],
    delete: operation('revokeAccessKey', 'revoke an access key', '200', 'Revoked'),
  },
  '/accounts/{account}/api-keys': {
    parameters: [account],
    get: operation('listApiKeys', 'the account\'s API keys (records; tokens are never stored)', '200', 'ApiKeyList'),
    post: operation('createApiKey', 'create an API key; its token is in this response only', '201', 'ApiKeyCreated', { requestBody: { required: false, ...json('NewApiKey') } }),
  },
  '/accounts/{account}/api-keys/{jti}': {
    parameters: [account, param('jti', 'the API key id (the token\'s jti)')],
    delete: operation('revokeApiKey', 'revoke an API key: its next exchange is refused', '200', 'Revoked'),
  },
  '/accounts/{account}/idps': {
    parameters: [account],
    get: operation('listIdentityProviders', 'the identity providers the account registered (platform providers are in the configuration)', '200', 'IdentityProviderList'),
    post: operation('registerIdentityProvider', 'register an OIDC issuer for the account\'s roles: checked, its discovery document fetched; every problem listed', '201', 'IdentityProvider', { requestBody: { required: true, ...json('NewIdentityProvider') } }),
  },
  '/accounts/{account}/idps/{id}': {
    parameters: [account, param('id', 'the identity provider\'s id')],
    delete: operation('removeIdentityProvider', 'remove a registered identity provider: its tokens are refused from the next exchange', '200', 'Deleted'),
  },
  '/accounts/{account}/grants': {
    parameters: [account],
    get: operation('listGrants', 'the grants the account holds', '200', 'GrantList'),
  },
  '/accounts/{account}/buckets': {
    parameters: [account],
    get: operation('listBuckets', 'the buckets the account owns', '200', 'BucketList'),
  },
};

let built: Record<string, unknown> | undefined;

/** The document (built once). */
export function openApiDocument(): Record<string, unknown> {
  built ??= {
    openapi: '3.1.0',
    info: {
      title: 'Sluice management API',
      version: '1',
      description: 'Manage an account\'s roles, identity providers, access keys and API keys, and read its grants and buckets. Authenticate with SigV4 (an access key without a ceiling, or session credentials of the account\'s _default role) or Authorization: Bearer with an API key not bound to a role. Operators (admin.operators) manage every account.',
    },
    servers: [{ url: '/.admin/v1' }],
    security: [{ sigv4: [] }, { apiKey: [] }],
    paths: PATHS,
    components: {
      securitySchemes: {
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4 (service s3, any allowed region)' },
        apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'a Sluice API key (sluice apikeys create)' },
      },
      schemas: Object.fromEntries(Object.entries(COMPONENTS).map(([name, schema]) => [name, componentSchema(schema, name)])),
    },
  };
  return built;
}

function componentSchema(schema: z.ZodType, name: string): Record<string, unknown> {
  // Request bodies are documented as they are sent (defaults optional); responses as they are returned.
  const io = name.startsWith('New') ? 'input' : 'output';
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
