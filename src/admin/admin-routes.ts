/**
 * The management API's operations: one entry per (method, path template),
 * each with the component schemas of its body and its success response (the
 * OpenAPI document lists the same, and a test holds the two together).
 * Handlers receive the authenticated caller and the account it acts on
 * (already checked: its own, or any for an operator).
 */
import type { WritablePolicyStore } from '../policy/store.ts';
import type { PolicyStore } from '../policy/store.ts';
import type { SluiceConfig } from '../core/config.ts';
import type { RuntimeContext } from '../core/runtime.ts';
import type { Issuer } from '../oidc/issuer/create-issuer.ts';
import { keyUsability } from '../auth/access-keys.ts';
import { apiKeyInputProblems, apiKeyToJson, issueApiKey } from '../sts/api-key-issuance.ts';
import { withBuiltInProvider } from '../sts/built-in-provider.ts';
import { type Role, validateRole } from '../sts/role.ts';
import type { RoleTokenTest } from '../sts/role-token-test.ts';
import { OidcError } from '../oidc/errors.ts';
import { DEFAULT_ROLE_NAME, ROLE_NAME, parseRoleRef, roleUrn } from '../sts/role-ref.ts';
import { grantPrefixProblem } from '../config/rules.ts';
import { bucketRef } from '../authz/grant-policy.ts';
import type { AuditEvent } from '../app/audit.ts';
import type { RegistrationCheck } from '../sts/idp-registration.ts';
import { scopeProviders } from '../sts/provider-scope.ts';
import { listIdentityProviders, registerIdentityProvider, removeIdentityProvider } from './idp-operations.ts';
import { AdminError, validationFailed, type Problem } from './admin-error.ts';
import type { Caller } from './admin-auth.ts';
import { type ComponentName, newAccessKeySchema, newApiKeySchema, roleTokenTestInputSchema } from './schemas.ts';
import type { z } from 'zod';

export interface AdminServices {
  config: SluiceConfig;
  managed: WritablePolicyStore;
  /** The cached policy store the gateway uses (grants, buckets). */
  policy: PolicyStore;
  issuer?: Issuer;
  runtime: Pick<RuntimeContext, 'now' | 'randomBytes'>;
  /** Revoke with immediate effect in this process; writes the audit event (with `actor`) when it takes effect. */
  revokeAccessKey(accessKeyId: string, actor: Record<string, string>): Promise<boolean>;
  revokeApiKey(jti: string, actor: Record<string, string>): Promise<boolean>;
  /** Register an account's identity provider; in effect in this process at once, audited when stored. */
  registerIdentityProvider(account: string, input: unknown, options: { allowLocal: boolean; actor: Record<string, string> }): Promise<RegistrationCheck>;
  /** Remove one; in effect at once, audited; false when the account has no such provider. */
  removeIdentityProvider(account: string, id: string, actor: Record<string, string>): Promise<boolean>;
  audit(event: AuditEvent, fields: Record<string, string>): void;
  /** The STS roles (with `_default`) and the exchange's checks as a dry run; absent without the sts section. */
  roleTokens?: {
    getRole(account: string, name: string): Promise<Role | null>;
    test(role: Role, token: string): Promise<RoleTokenTest>;
  };
}

export interface AdminCall {
  caller: Caller;
  params: Record<string, string>;
  body: unknown;
  services: AdminServices;
}

export interface AdminResult {
  status: number;
  value: unknown;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface AdminOperation {
  method: HttpMethod;
  /** Relative to `/.admin/v1`, with `{name}` parameters. */
  path: string;
  operationId: string;
  body?: ComponentName;
  status: number;
  response: ComponentName;
  handle(call: AdminCall): Promise<AdminResult>;
}

const ok = (value: unknown, status = 200): AdminResult => ({ status, value });

function actor(call: AdminCall): Record<string, string> {
  return { actor: call.caller.account, actorVia: call.caller.via, actorCredential: call.caller.credential };
}

function audit(call: AdminCall, event: AuditEvent, fields: Record<string, string>): void {
  call.services.audit(event, { ...actor(call), ...fields });
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw validationFailed(parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })));
}

function roleName(params: Record<string, string>): string {
  const name = params.name!;
  if (!ROLE_NAME.test(name) && name !== DEFAULT_ROLE_NAME) throw validationFailed([{ field: 'name', message: 'must be 1–63 lower-case letters, digits and hyphens' }]);
  return name;
}

function needSts(services: AdminServices) {
  const sts = services.config.sts;
  if (!sts) throw new AdminError('NotAvailable', 'Roles need the sts section of the configuration.');
  return sts;
}

const iso = (date: Date | undefined) => date?.toISOString() ?? null;

// ---- roles ----

async function listRoles({ params, services }: AdminCall): Promise<AdminResult> {
  const account = params.account!;
  const fileRoles = (services.config.sts?.roles ?? []).filter((r) => r.account === account)
    .map((r) => ({ urn: roleUrn(r), name: r.name, source: 'file' as const, description: r.description ?? null, updatedAt: null }));
  const taken = new Set(fileRoles.map((r) => r.name));
  const stored = (await services.managed.listRoleDefinitions({ account })).filter((r) => !taken.has(r.name)).map((r) => {
    const description = (r.definition as { description?: unknown } | null)?.description;
    return { urn: roleUrn(r), name: r.name, source: 'store' as const, description: typeof description === 'string' ? description : null, updatedAt: r.updatedAt.toISOString() };
  });
  return ok({ roles: [...fileRoles, ...stored] });
}

async function getRole({ params, services }: AdminCall): Promise<AdminResult> {
  const account = params.account!;
  const name = roleName(params);
  const fromFile = services.config.sts?.roles.find((r) => r.account === account && r.name === name);
  if (fromFile) {
    const { bindings, permissions, maxSessionDurationSeconds, description } = fromFile;
    const definition = {
      account, name, ...(description !== undefined && { description }), maxSessionDuration: maxSessionDurationSeconds,
      bindings: bindings.map((b) => ({ provider: b.provider, audience: b.audience, claims: b.constraints })), permissions,
    };
    return ok({ urn: roleUrn(fromFile), source: 'file', updatedAt: null, definition });
  }
  const stored = await services.managed.getRoleDefinition(account, name);
  if (!stored) throw new AdminError('NotFound', `No role ${account}::role/${name}.`);
  return ok({ urn: roleUrn(stored), source: 'store', updatedAt: stored.updatedAt.toISOString(), definition: stored.definition });
}

async function putRole(call: AdminCall): Promise<AdminResult> {
  const { params, services, body } = call;
  const sts = needSts(services);
  const account = params.account!;
  const name = roleName(params);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationFailed([{ field: '(body)', message: 'must be a JSON object' }]);
  const given = body as Record<string, unknown>;
  const problems: Problem[] = [];
  if (given.account !== undefined && given.account !== account) problems.push({ field: 'account', message: 'must be the account of the path (or left out)' });
  if (given.name !== undefined && given.name !== name) problems.push({ field: 'name', message: 'must be the name of the path (or left out)' });
  const definition = { ...given, account, name };
  // The providers this account may bind to: the platform's, the built-in one and its own registered ones.
  const registered = await services.managed.listIdentityProviders({ account });
  const providers = scopeProviders(account, withBuiltInProvider(sts.identityProviders, services.issuer?.url), registered).providers;
  const result = validateRole(definition, { providers, addressing: services.config.server.addressing });
  if (!result.ok) problems.push(...result.problems.map((p) => ({ field: p.path || '(body)', message: p.message })));
  if (problems.length > 0) throw validationFailed(problems);
  if (sts.roles.some((r) => r.account === account && r.name === name)) throw new AdminError('Conflict', `${account}::role/${name} is defined in the configuration file; change it there.`);
  const existed = (await services.managed.getRoleDefinition(account, name)) !== null;
  try {
    await services.managed.putRoleDefinition(account, name, definition);
  } catch (error) {
    if (error instanceof TypeError) throw new AdminError('NotAvailable', error.message);
    throw error;
  }
  audit(call, 'role.put', { role: `${account}::role/${name}` });
  const stored = (await services.managed.getRoleDefinition(account, name))!;
  return ok({ urn: roleUrn(stored), source: 'store', updatedAt: stored.updatedAt.toISOString(), definition: stored.definition }, existed ? 200 : 201);
}

async function deleteRole(call: AdminCall): Promise<AdminResult> {
  const { params, services } = call;
  const account = params.account!;
  const name = roleName(params);
  if (services.config.sts?.roles.some((r) => r.account === account && r.name === name)) {
    throw new AdminError('Conflict', `${account}::role/${name} is defined in the configuration file; remove it there.`);
  }
  if (!(await services.managed.deleteRoleDefinition(account, name))) throw new AdminError('NotFound', `No stored role ${account}::role/${name}.`);
  audit(call, 'role.deleted', { role: `${account}::role/${name}` });
  return ok({ deleted: true });
}

/**
 * A dry run of the exchange for a pasted token: the role's verdict and every
 * binding's refusal. Audited as `role.tested` (who tested which role, and
 * the verdict), never with the token or its claims.
 */
async function testRoleToken(call: AdminCall): Promise<AdminResult> {
  const { params, services } = call;
  needSts(services);
  const account = params.account!;
  const name = roleName(params);
  const { token } = parseBody(roleTokenTestInputSchema, call.body);
  const roleTokens = services.roleTokens;
  if (!roleTokens) throw new AdminError('NotAvailable', 'Testing tokens needs the sts section of the configuration.');
  const role = await roleTokens.getRole(account, name);
  if (!role) throw new AdminError('NotFound', `No role ${account}::role/${name}.`);
  let result: RoleTokenTest;
  try {
    result = await roleTokens.test(role, token);
  } catch (error) {
    // Only a token that is not a JWT with an issuer gets here: nothing to test it against.
    if (error instanceof OidcError) throw validationFailed([{ field: 'token', message: error.message }]);
    throw error;
  }
  audit(call, 'role.tested', { role: `${account}::role/${name}`, allowed: String(result.allowed) });
  return ok(result);
}

// ---- access keys ----

function accessKeyJson(key: Awaited<ReturnType<WritablePolicyStore['listAccessKeys']>>[number], now: Date) {
  const usability = keyUsability({ ...key, secretAccessKey: '' }, now);
  const ceiling = key.ceiling?.[0];
  return {
    accessKeyId: key.accessKeyId,
    account: key.account,
    label: key.label,
    status: usability === 'usable' ? 'active' : usability,
    createdAt: key.createdAt.toISOString(),
    expiresAt: iso(key.expiresAt),
    revokedAt: iso(key.revokedAt),
    lastUsedAt: iso(key.lastUsedAt),
    readOnly: ceiling !== undefined && !ceiling.actions.includes('write'),
    prefixes: ceiling?.prefixes ? [...ceiling.prefixes] : null,
  };
}

async function listAccessKeys({ params, services }: AdminCall): Promise<AdminResult> {
  const now = services.runtime.now();
  return ok({ accessKeys: (await services.managed.listAccessKeys({ account: params.account! })).map((k) => accessKeyJson(k, now)) });
}

async function createAccessKey(call: AdminCall): Promise<AdminResult> {
  const { params, services } = call;
  const input = parseBody(newAccessKeySchema, call.body);
  const now = services.runtime.now();
  const problems: Problem[] = [];
  const expiresAt = input.expiresAt === undefined ? undefined : new Date(input.expiresAt);
  if (expiresAt && expiresAt.getTime() <= now.getTime()) problems.push({ field: 'expiresAt', message: 'must be in the future' });
  input.prefixes.forEach((prefix, i) => {
    const problem = grantPrefixProblem(prefix);
    if (problem) problems.push({ field: `prefixes.${i}`, message: problem });
  });
  if (problems.length > 0) throw validationFailed(problems);
  const ceiling = input.prefixes.length === 0 && !input.readOnly
    ? undefined
    : [{ bucket: '*', actions: input.readOnly ? ['read' as const] : ['read' as const, 'write' as const], ...(input.prefixes.length > 0 && { prefixes: input.prefixes }) }];
  const created = await services.managed.createAccessKey({ account: params.account!, label: input.label, ...(expiresAt && { expiresAt }), ...(ceiling && { ceiling }) });
  audit(call, 'access-key.created', { accessKeyId: created.accessKeyId, account: params.account! });
  return ok({ ...accessKeyJson(created.record, now), secretAccessKey: created.secretAccessKey }, 201);
}

async function revokeAccessKey(call: AdminCall): Promise<AdminResult> {
  const { params, services } = call;
  const key = (await services.managed.listAccessKeys({ account: params.account! })).find((k) => k.accessKeyId === params.accessKeyId);
  // Another account's key is "not found", never "forbidden": ids do not leak across accounts.
  if (!key) throw new AdminError('NotFound', `No access key ${params.accessKeyId} in account ${params.account}.`);
  const already = key.revokedAt !== undefined;
  // Revoking a revoked key changes nothing, and is not audited again.
  if (!already) await services.revokeAccessKey(key.accessKeyId, { account: key.account, ...actor(call) });
  const after = (await services.managed.listAccessKeys({ account: params.account! })).find((k) => k.accessKeyId === params.accessKeyId)!;
  return ok({ revoked: !already, revokedAt: after.revokedAt!.toISOString() });
}

// ---- API keys ----

async function listApiKeys({ params, services }: AdminCall): Promise<AdminResult> {
  const now = services.runtime.now();
  return ok({ apiKeys: (await services.managed.listApiKeys({ account: params.account! })).map((r) => apiKeyToJson(r, now)) });
}

async function createApiKey(call: AdminCall): Promise<AdminResult> {
  const { params, services } = call;
  const issuer = services.issuer;
  if (!issuer) throw new AdminError('NotAvailable', 'API keys need the issuer section of the configuration.');
  const input = parseBody(newApiKeySchema, call.body);
  const account = params.account!;
  const now = services.runtime.now();
  const role = input.role === undefined ? undefined : parseRoleRef(input.role) ? input.role : `${account}::role/${input.role}`;
  const request = { account, label: input.label, ...(role !== undefined && { role }), ...(input.expiresAt !== undefined && { expiresAt: new Date(input.expiresAt) }) };
  const problems = apiKeyInputProblems(request, now);
  if (problems.length > 0) throw validationFailed(problems);
  const created = await issueApiKey(services.managed, { issuer: issuer.url, keys: issuer.keys, now: () => services.runtime.now(), randomBytes: (b) => services.runtime.randomBytes(b) }, request);
  audit(call, 'api-key.created', { jti: created.record.jti, account, ...(created.record.role && { role: created.record.role }) });
  return ok({ ...apiKeyToJson(created.record, now), token: created.token }, 201);
}

async function revokeApiKey(call: AdminCall): Promise<AdminResult> {
  const { params, services } = call;
  const record = await services.managed.getApiKey(params.jti!);
  if (!record || record.account !== params.account) throw new AdminError('NotFound', `No API key ${params.jti} in account ${params.account}.`);
  const already = record.revokedAt !== undefined;
  if (!already) await services.revokeApiKey(record.jti, { account: record.account, ...actor(call) });
  return ok({ revoked: !already, revokedAt: (await services.managed.getApiKey(record.jti))!.revokedAt!.toISOString() });
}

// ---- grants and buckets ----

async function listGrants({ params, services }: AdminCall): Promise<AdminResult> {
  const grants = await services.policy.getGrants(params.account!);
  return ok({ grants: grants.map((g) => ({ bucket: g.bucket, actions: [...g.actions], prefixes: g.prefixes && g.prefixes.length > 0 ? [...g.prefixes] : null })) });
}

async function listBuckets({ params, services }: AdminCall): Promise<AdminResult> {
  const mode = services.config.server.addressing;
  const owned = (await services.policy.listBuckets()).filter((b) => b.account === params.account);
  return ok({ buckets: owned.map((b) => ({ name: bucketRef(b, mode), public: b.public, readOnly: b.readOnly })) });
}

async function whoAmI({ caller }: AdminCall): Promise<AdminResult> {
  return ok({ account: caller.account, operator: caller.operator, via: caller.via });
}

const ACCOUNT = '/accounts/{account}';

export const ADMIN_OPERATIONS: readonly AdminOperation[] = [
  { method: 'GET', path: '/whoami', operationId: 'whoAmI', status: 200, response: 'Caller', handle: whoAmI },
  { method: 'GET', path: `${ACCOUNT}/roles`, operationId: 'listRoles', status: 200, response: 'RoleList', handle: listRoles },
  { method: 'GET', path: `${ACCOUNT}/roles/{name}`, operationId: 'getRole', status: 200, response: 'Role', handle: getRole },
  { method: 'PUT', path: `${ACCOUNT}/roles/{name}`, operationId: 'putRole', body: 'RoleDefinition', status: 200, response: 'Role', handle: putRole },
  { method: 'DELETE', path: `${ACCOUNT}/roles/{name}`, operationId: 'deleteRole', status: 200, response: 'Deleted', handle: deleteRole },
  { method: 'POST', path: `${ACCOUNT}/roles/{name}/test`, operationId: 'testRoleToken', body: 'RoleTokenTestInput', status: 200, response: 'RoleTokenTest', handle: testRoleToken },
  { method: 'GET', path: `${ACCOUNT}/access-keys`, operationId: 'listAccessKeys', status: 200, response: 'AccessKeyList', handle: listAccessKeys },
  { method: 'POST', path: `${ACCOUNT}/access-keys`, operationId: 'createAccessKey', body: 'NewAccessKey', status: 201, response: 'AccessKeyCreated', handle: createAccessKey },
  { method: 'DELETE', path: `${ACCOUNT}/access-keys/{accessKeyId}`, operationId: 'revokeAccessKey', status: 200, response: 'Revoked', handle: revokeAccessKey },
  { method: 'GET', path: `${ACCOUNT}/api-keys`, operationId: 'listApiKeys', status: 200, response: 'ApiKeyList', handle: listApiKeys },
  { method: 'POST', path: `${ACCOUNT}/api-keys`, operationId: 'createApiKey', body: 'NewApiKey', status: 201, response: 'ApiKeyCreated', handle: createApiKey },
  { method: 'DELETE', path: `${ACCOUNT}/api-keys/{jti}`, operationId: 'revokeApiKey', status: 200, response: 'Revoked', handle: revokeApiKey },
  { method: 'GET', path: `${ACCOUNT}/idps`, operationId: 'listIdentityProviders', status: 200, response: 'IdentityProviderList', handle: listIdentityProviders },
  { method: 'POST', path: `${ACCOUNT}/idps`, operationId: 'registerIdentityProvider', body: 'NewIdentityProvider', status: 201, response: 'IdentityProvider', handle: registerIdentityProvider },
  { method: 'DELETE', path: `${ACCOUNT}/idps/{id}`, operationId: 'removeIdentityProvider', status: 200, response: 'Deleted', handle: removeIdentityProvider },
  { method: 'GET', path: `${ACCOUNT}/grants`, operationId: 'listGrants', status: 200, response: 'GrantList', handle: listGrants },
  { method: 'GET', path: `${ACCOUNT}/buckets`, operationId: 'listBuckets', status: 200, response: 'BucketList', handle: listBuckets },
];

/** The operation for a method and path (relative to `/.admin/v1`), with its decoded parameters. */
export function matchOperation(method: string, path: string): { operation: AdminOperation; params: Record<string, string> } | { allowed: HttpMethod[] } | undefined {
  const segments = path.split('/');
  const allowed: HttpMethod[] = [];
  for (const operation of ADMIN_OPERATIONS) {
    const template = operation.path.split('/');
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matches = true;
    for (let i = 0; i < template.length && matches; i++) {
      const part = template[i]!;
      if (part.startsWith('{')) {
        let value: string;
        try {
          value = decodeURIComponent(segments[i]!);
        } catch {
          return undefined;
        }
        if (value === '') matches = false;
        else params[part.slice(1, -1)] = value;
      } else if (part !== segments[i]) matches = false;
    }
    if (!matches) continue;
    if (operation.method === method) return { operation, params };
    allowed.push(operation.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}
