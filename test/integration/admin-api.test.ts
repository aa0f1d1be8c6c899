/**
 * The management API against a running server, driven with plain fetch:
 * SigV4 (an access key) and Bearer (an API key) callers, never anonymous;
 * roles, access keys, API keys, grants and buckets of the caller's account;
 * an operator acting on another account; revocations that take effect at
 * once; audit events for every change. The OpenAPI document is checked
 * against the router (every operation in both), and every response the
 * tests receive is validated against the document's own schemas.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_OPERATIONS } from '../../src/admin/admin-routes.ts';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { type AdminApiClient, type AdminCall, documentedAdminClient, type OpenApiDocument } from '../support/admin-api-client.ts';
import { createHash } from 'node:crypto';
import { validateConfig } from '../../src/config/validate.ts';
import { SqlitePolicyStore } from '../../src/policy/sqlite/sqlite-store.ts';
import { nodeBackends } from '../../src/runtimes/node/backend-registry.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';

const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');
const OWNER = { accessKeyId: 'SLAKOWNERAAAAAAAAAAA', secretAccessKey: 'owner-secret-0123456789abcdefghijklm' };
const NARROW = { accessKeyId: 'SLAKNARROWAAAAAAAAAA', secretAccessKey: 'narrow-secret-0123456789abcdefghijkl' };
const OPERATOR = { accessKeyId: 'SLAKOPSAAAAAAAAAAAAA', secretAccessKey: 'ops-secret-0123456789abcdefghijklmnop' };

let dir: string;
let server: RunningServer;
/** The identity provider `ci` the role `deployer` trusts, and `elsewhere`, a platform provider it does not. */
let ci: OidcIssuer;
let elsewhere: OidcIssuer;
const events: Record<string, unknown>[] = [];
let admin: AdminApiClient;
let doc: OpenApiDocument;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-admin-'));
  const sqlitePath = join(dir, 'sluice.db');
  const seed = await SqlitePolicyStore.open(sqlitePath, { masterKey: Buffer.from(MASTER_KEY, 'base64'), accountExists: () => true });
  await seed.importAccessKey({ ...OWNER, account: 'research', label: 'owner' });
  await seed.importAccessKey({ ...NARROW, account: 'research', label: 'narrow', ceiling: [{ bucket: '*', actions: ['read'] }] });
  await seed.importAccessKey({ ...OPERATOR, account: 'ops', label: 'operator' });
  await seed.close();
  ci = await OidcIssuer.start();
  elsewhere = await OidcIssuer.start();
  const config = validateConfig({
    server: { accessLog: false },
    issuer: { url: 'https://sluice.example.test', keys: [{ privateKey: (await es256Pem()).privateKey }] },
    policy: { sqlitePath, masterKey: MASTER_KEY, cacheTtlSeconds: 60 },
    connections: { mem: { type: 'memory' } },
    buckets: { climate: { connection: 'mem', account: 'research' }, shared: { connection: 'mem', public: true } },
    accounts: {
      research: { grants: [{ bucket: 'climate', actions: ['read', 'write'] }, { bucket: 'shared', actions: ['read'], prefixes: ['pub'] }] },
      other: { grants: [] },
      ops: { grants: [] },
    },
    sts: {
      sessions: { hmacSecrets: [{ version: 1, secret: randomHmacSecret() }], signingKeys: [{ kid: 's1', privateKey: (await es256Pem()).privateKey }] },
      identityProviders: [
        { id: 'ci', issuer: ci.issuer, audiences: ['sluice-ci'], local: true, claims: 'github-actions' },
        { id: 'elsewhere', issuer: elsewhere.issuer, audiences: ['sluice-ci'], local: true },
      ],
      roles: [
        { account: 'research', name: 'pinned', bindings: [{ provider: 'sluice', audience: 'sluice-sts' }], permissions: [{ actions: ['read'], resources: ['*'] }] },
        {
          account: 'research',
          name: 'deployer',
          bindings: [
            { provider: 'sluice', audience: 'sluice-sts' },
            { provider: 'ci', audience: 'sluice-ci', claims: [{ claim: 'repository', operator: 'equals', value: 'acme/app' }, { claim: 'ref', operator: 'starts_with', value: 'refs/heads/' }] },
          ],
          permissions: [{ actions: ['read'], resources: ['*'] }],
        },
      ],
    },
    admin: { operators: ['ops'] },
  }, { source: 'test', baseDir: dir, env: {}, backends: nodeBackends });
  server = await startServer(config, { log: { write: (entry) => void events.push(entry as Record<string, unknown>) } });
  admin = await documentedAdminClient(server.url);
  doc = admin.doc;
});

after(async () => {
  for (const e of events) if (e.level === 'error') console.error(e);
  await server?.close();
  await ci?.close();
  await elsewhere?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const call = (request: AdminCall) => admin.call(request);

const auditEvents = (event: string) => events.filter((e) => e.msg === 'audit' && e.event === event);

describe('the OpenAPI document', () => {
  test('lists exactly the operations the router serves', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k)).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    const routed = ADMIN_OPERATIONS.map((op) => `${op.method} ${op.path}`).sort();
    assert.deepEqual(documented, routed);
    for (const op of ADMIN_OPERATIONS) {
      const documentedOp = (doc.paths[op.path] as Record<string, { operationId: string; responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }> }>)[op.method.toLowerCase()]!;
      assert.equal(documentedOp.operationId, op.operationId);
      assert.equal(documentedOp.responses[String(op.status)]!.content['application/json'].schema.$ref, `#/components/schemas/${op.response}`);
    }
    assert.equal((doc as unknown as { openapi: string }).openapi, '3.1.0');
  });
});

describe('authentication', () => {
  test('anonymous requests are refused with 401; a bad signature too', async () => {
    const anonymous = await call({ path: '/whoami' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.json.error.code, 'Unauthenticated');
    const forged = await call({ path: '/whoami', as: { ...OWNER, secretAccessKey: 'wrong-secret-0123456789abcdefghijklm' } });
    assert.equal(forged.status, 401);
    const bogusBearer = await call({ path: '/whoami', as: { bearer: 'not.a.jwt' } });
    assert.equal(bogusBearer.status, 401);
  });

  test('an access key acts for its account; one with a ceiling is refused; another account is forbidden', async () => {
    assert.deepEqual((await call({ path: '/whoami', as: OWNER })).json, { account: 'research', operator: false, via: 'access-key' });
    const narrow = await call({ path: '/accounts/research/roles', as: NARROW });
    assert.equal(narrow.status, 403);
    const foreign = await call({ path: '/accounts/other/access-keys', as: OWNER });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.error.code, 'Forbidden');
  });

  test('an operator manages another account', async () => {
    assert.equal((await call({ path: '/whoami', as: OPERATOR })).json.operator, true);
    const listed = await call({ path: '/accounts/research/grants', as: OPERATOR });
    assert.equal(listed.status, 200);
  });
});

describe('roles', () => {
  test('a definition with several problems lists them all; a good one is stored, listed, read and deleted', async () => {
    const bad = await call({ method: 'PUT', path: '/accounts/research/roles/reader', as: OWNER, body: { account: 'other', maxSessionDuration: 10, bindings: [{ provider: 'nobody', audience: 'x' }], permissions: [] } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'ValidationFailed');
    const fields = bad.json.error.problems.map((p: { field: string }) => p.field).sort();
    assert.deepEqual(fields, ['account', 'bindings.0.provider', 'maxSessionDuration', 'permissions'].sort());

    const definition = { description: 'nightly jobs read', bindings: [{ provider: 'sluice', audience: 'sluice-sts' }], permissions: [{ actions: ['read'], resources: ['research::bucket/climate/*'] }] };
    const created = await call({ method: 'PUT', path: '/accounts/research/roles/reader', as: OWNER, body: definition });
    assert.equal(created.status, 201);
    assert.equal(created.json.urn, 'research::role/reader');
    assert.equal((await call({ method: 'PUT', path: '/accounts/research/roles/reader', as: OWNER, body: definition })).status, 200);
    const listed = await call({ path: '/accounts/research/roles', as: OWNER });
    assert.deepEqual(listed.json.roles.map((r: { urn: string; source: string }) => `${r.urn} ${r.source}`), ['research::role/pinned file', 'research::role/deployer file', 'research::role/reader store']);
    assert.equal((await call({ path: '/accounts/research/roles/pinned', as: OWNER })).json.source, 'file');
    assert.equal((await call({ method: 'DELETE', path: '/accounts/research/roles/pinned', as: OWNER })).status, 409);
    assert.deepEqual((await call({ method: 'DELETE', path: '/accounts/research/roles/reader', as: OWNER })).json, { deleted: true });
    assert.equal((await call({ path: '/accounts/research/roles/reader', as: OWNER })).status, 404);
    assert.equal(auditEvents('role.put').length, 2);
    assert.deepEqual(auditEvents('role.deleted').map((e) => [e.role, e.actor, e.actorVia]), [['research::role/reader', 'research', 'access-key']]);
  });
});

describe('testing a token against a role', () => {
  const path = '/accounts/research/roles/deployer/test';
  const claims = (overrides: Parameters<typeof OidcIssuer.githubClaims>[0] = {}) => OidcIssuer.githubClaims({ aud: 'sluice-ci', repository: 'acme/app', ...overrides });
  /** The dry run never issues credentials nor audits an exchange, and never echoes the token. */
  async function dryRun(token: string, as: AdminCall['as'] = OWNER) {
    const exchanges = auditEvents('sts_exchange').length;
    const result = await call({ method: 'POST', path, as, body: { token } });
    assert.equal(auditEvents('sts_exchange').length, exchanges, 'no exchange is audited');
    const text = JSON.stringify(result.json);
    assert.ok(!text.includes(token) && !text.includes(token.split('.')[2]!), 'the token is not echoed');
    assert.doesNotMatch(text, /accessKeyId|secretAccessKey|sessionToken/i);
    return result;
  }

  test('a token meeting a binding is allowed, naming the binding', async () => {
    const passing = await dryRun(await ci.sign(claims()));
    assert.equal(passing.status, 200);
    assert.deepEqual(passing.json, { allowed: true, binding: 1, failures: [] });
    assert.deepEqual(auditEvents('role.tested').at(-1), { ...auditEvents('role.tested').at(-1), role: 'research::role/deployer', allowed: 'true', actor: 'research', actorVia: 'access-key' });
  });

  test('a token failing a constraint names the binding, claim, check, operator and expected value', async () => {
    const failing = await dryRun(await ci.sign(claims({ repository: 'acme/other', ref: 'refs/tags/v1' })));
    assert.equal(failing.status, 200);
    assert.equal(failing.json.allowed, false);
    assert.equal(failing.json.binding, undefined);
    const constraints = failing.json.failures.filter((f: { check: string }) => f.check === 'constraint');
    assert.deepEqual(constraints.map(({ detail: _detail, ...rest }: { detail: string }) => rest), [
      { binding: 1, check: 'constraint', claim: 'repository', operator: 'equals', expected: 'acme/app' },
      { binding: 1, check: 'constraint', claim: 'ref', operator: 'starts_with', expected: 'refs/heads/' },
    ]);
    assert.match(constraints[0].detail, /claim "repository" must equal "acme\/app": the token's value does not match/);
    assert.doesNotMatch(JSON.stringify(failing.json), /acme\/other|refs\/tags/, 'the token\'s claim values are not shown');
    assert.deepEqual(failing.json.failures.filter((f: { check: string }) => f.check !== 'constraint').map((f: { binding: number; check: string }) => [f.binding, f.check]), [[0, 'issuer']], 'the API key binding trusts another provider');
    const missing = await dryRun(await ci.sign(claims({ ref: undefined })));
    assert.match(missing.json.failures.find((f: { claim?: string }) => f.claim === 'ref').detail, /the token has no such claim/);
    assert.equal(auditEvents('role.tested').at(-1)!.allowed, 'false');
  });

  test('an expired token fails the time check of the bindings of its provider', async () => {
    const expired = await dryRun(await ci.sign(claims(), { expiresIn: -600 }));
    assert.equal(expired.status, 200);
    assert.deepEqual(expired.json.failures.map((f: { binding: number; check: string }) => [f.binding, f.check]), [[1, 'expired']]);
    assert.match(expired.json.failures[0].detail, /expired/);
  });

  test('a token from an issuer the role is not bound to fails the issuer check of every binding', async () => {
    const foreign = await dryRun(await elsewhere.sign(claims()));
    assert.equal(foreign.json.allowed, false);
    assert.deepEqual(foreign.json.failures.map((f: { binding: number; check: string }) => [f.binding, f.check]), [[0, 'issuer'], [1, 'issuer']]);
    assert.match(foreign.json.failures[1].detail, /binding 1 trusts identity provider "ci"; the token is from identity provider "elsewhere"/);
    const unknown = await OidcIssuer.start();
    try {
      const stranger = await dryRun(await unknown.sign(claims()));
      assert.match(stranger.json.failures[0].detail, /not an identity provider of the account/);
    } finally {
      await unknown.close();
    }
  });

  test('a forged signature, a wrong audience; bad input, another account and an unknown role are refused', async () => {
    const forged = await dryRun(await ci.sign(claims(), { unpublishedKey: true }));
    assert.deepEqual(forged.json.failures.map((f: { binding: number; check: string }) => [f.binding, f.check]), [[1, 'signature']]);
    const audience = await dryRun(await ci.sign(claims({ aud: 'someone-else' })));
    assert.deepEqual(audience.json.failures.map((f: { binding: number; check: string }) => [f.binding, f.check]), [[1, 'audience']]);
    const malformed = await call({ method: 'POST', path, as: OWNER, body: { token: 'not-a-jwt' } });
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.json.error.problems.map((p: { field: string }) => p.field), ['token']);
    const huge = await call({ method: 'POST', path, as: OWNER, body: { token: 'x'.repeat(17 * 1024) } });
    assert.equal(huge.status, 400);
    assert.doesNotMatch(JSON.stringify(huge.json), /xxxx/);
    assert.equal((await call({ method: 'POST', path, as: OWNER, body: {} })).status, 400);
    assert.equal((await call({ method: 'POST', path: '/accounts/other/roles/deployer/test', as: OWNER, body: { token: await ci.sign(claims()) } })).status, 403);
    assert.equal((await call({ method: 'POST', path: '/accounts/research/roles/nobody/test', as: OWNER, body: { token: await ci.sign(claims()) } })).status, 404);
    assert.equal((await call({ method: 'POST', path, as: OPERATOR, body: { token: await ci.sign(claims()) } })).json.allowed, true, 'an operator tests any account\'s role');
  });
});

describe('access keys', () => {
  test('created with the secret shown once, usable at once, listed without secrets, revoked with immediate effect', async () => {
    const invalid = await call({ method: 'POST', path: '/accounts/research/access-keys', as: OWNER, body: { label: 5, prefixes: ['../x'], extra: true } });
    assert.equal(invalid.status, 400);
    assert.ok(invalid.json.error.problems.length >= 2, JSON.stringify(invalid.json));

    const created = await call({ method: 'POST', path: '/accounts/research/access-keys', as: OWNER, body: { label: 'laptop' } });
    assert.equal(created.status, 201);
    const key = { accessKeyId: created.json.accessKeyId as string, secretAccessKey: created.json.secretAccessKey as string };
    assert.equal((await call({ path: '/whoami', as: key })).status, 200);
    const listed = await call({ path: '/accounts/research/access-keys', as: OWNER });
    assert.ok(listed.json.accessKeys.some((k: { accessKeyId: string }) => k.accessKeyId === key.accessKeyId));
    assert.ok(!JSON.stringify(listed.json).includes(key.secretAccessKey), 'no secret in listings');

    assert.equal((await call({ method: 'DELETE', path: `/accounts/other/access-keys/${key.accessKeyId}`, as: OPERATOR })).status, 404);
    const revoked = await call({ method: 'DELETE', path: `/accounts/research/access-keys/${key.accessKeyId}`, as: OWNER });
    assert.equal(revoked.json.revoked, true);
    assert.equal((await call({ path: '/whoami', as: key })).status, 401, 'refused on the very next request');
    assert.equal((await call({ method: 'DELETE', path: `/accounts/research/access-keys/${key.accessKeyId}`, as: OWNER })).json.revoked, false);
    assert.equal(auditEvents('access-key.created').length, 1);
    assert.deepEqual(auditEvents('access-key.revoked').map((e) => [e.accessKeyId, e.actor]), [[key.accessKeyId, 'research']]);
    assert.ok(!JSON.stringify(events).includes(key.secretAccessKey), 'no secret in the log');
  });
});

describe('API keys', () => {
  const exchange = (token: string, role: string) => fetch(`${server.url}/.sts`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: role, RoleSessionName: 'admin-test', WebIdentityToken: token }),
  });

  test('created with the token shown once; it authenticates as Bearer and at /.sts; revoked, both refuse it at once', async () => {
    const invalid = await call({ method: 'POST', path: '/accounts/research/api-keys', as: OWNER, body: { role: 'other::role/x', expiresAt: '2001-01-01T00:00:00Z' } });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.json.error.problems.map((p: { field: string }) => p.field).sort(), ['expiresAt', 'role']);

    const created = await call({ method: 'POST', path: '/accounts/research/api-keys', as: OWNER, body: { label: 'cron' } });
    assert.equal(created.status, 201);
    const token = created.json.token as string;
    assert.deepEqual((await call({ path: '/whoami', as: { bearer: token } })).json, { account: 'research', operator: false, via: 'api-key' });
    const sts = await exchange(token, 'research::role/_default');
    assert.equal(sts.status, 200, await sts.clone().text());

    const bound = await call({ method: 'POST', path: '/accounts/research/api-keys', as: { bearer: token }, body: { role: 'pinned' } });
    assert.equal(bound.json.role, 'research::role/pinned');
    assert.equal((await call({ path: '/whoami', as: { bearer: bound.json.token } })).status, 403, 'a role-bound key cannot manage the account');
    assert.equal((await exchange(bound.json.token, 'research::role/pinned')).status, 200);

    const listed = await call({ path: '/accounts/research/api-keys', as: OWNER });
    assert.deepEqual(listed.json.apiKeys.map((k: { jti: string }) => k.jti).sort(), [created.json.jti, bound.json.jti].sort());
    assert.ok(!JSON.stringify(listed.json).includes(token), 'no token in listings');

    const revoked = await call({ method: 'DELETE', path: `/accounts/research/api-keys/${created.json.jti}`, as: OWNER });
    assert.equal(revoked.json.revoked, true);
    assert.equal((await call({ path: '/whoami', as: { bearer: token } })).status, 401);
    const refused = await exchange(token, 'research::role/_default');
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /<Code>InvalidIdentityToken<\/Code>[\s\S]*revoked/);
    assert.deepEqual(auditEvents('api-key.created').map((e) => e.actorVia), ['access-key', 'api-key']);
    assert.equal(auditEvents('api-key.revoked').length, 1);
  });
});

describe('grants and buckets', () => {
  test('the account\'s grants and the buckets it owns', async () => {
    const grants = await call({ path: '/accounts/research/grants', as: OWNER });
    assert.deepEqual(grants.json.grants, [
      { bucket: 'climate', actions: ['read', 'write'], prefixes: null },
      { bucket: 'shared', actions: ['read'], prefixes: ['pub'] },
    ]);
    assert.deepEqual((await call({ path: '/accounts/research/buckets', as: OWNER })).json.buckets, [{ name: 'climate', public: false, readOnly: false }]);
    assert.deepEqual((await call({ path: '/accounts/ops/buckets', as: OPERATOR })).json.buckets, []);
  });

  test('unknown paths are 404 and wrong methods 405, in the JSON envelope', async () => {
    const wrongMethod = await fetch(`${server.url}/.admin/v1/accounts/research/grants`, { method: 'POST', headers: { authorization: 'Bearer x' } });
    assert.equal(wrongMethod.status, 401, 'authentication comes first');
    const signed = await signRequest({ method: 'POST', url: `${server.url}/.admin/v1/accounts/research/grants` }, OWNER, { region: 'us-east-1', service: 's3', payloadHash: createHash('sha256').update('').digest('hex') });
    delete signed.host;
    const refused = await fetch(`${server.url}/.admin/v1/accounts/research/grants`, { method: 'POST', headers: signed });
    assert.equal(refused.status, 405);
    assert.equal(refused.headers.get('allow'), 'GET');
    assert.ok(admin.schemaOf({ $ref: '#/components/schemas/Error' }).safeParse(await refused.json()).success);
    const missing = await fetch(`${server.url}/.admin/v1/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NotFound');
  });
});
