/**
 * Account-registered identity providers against a running server: a real
 * local OIDC issuer over HTTP registered by an operator for one account
 * (discovery fetched at registration), that account's role bound to it,
 * an exchange at /.sts with the AWS SDK's STS client and a read with the
 * session credentials; the same issuer invisible to another account, at
 * role validation and at exchange (before any key is fetched); removal
 * refusing the next exchange; audit events for both changes. Every
 * management response is checked against the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { AssumeRoleWithWebIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { validateConfig } from '../../src/config/validate.ts';
import { bytesBody } from '../../src/core/body.ts';
import { SqlitePolicyStore } from '../../src/policy/sqlite/sqlite-store.ts';
import { nodeBackends } from '../../src/runtimes/node/backend-registry.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { type AdminApiClient, documentedAdminClient } from '../support/admin-api-client.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';
import { signedClient } from '../support/s3-client.ts';

const MASTER_KEY = Buffer.alloc(32, 9).toString('base64');
const CAMPUS = { accessKeyId: 'SLAKCAMPUSAAAAAAAAAA', secretAccessKey: 'campus-secret-0123456789abcdefghijkl' };
const OTHER = { accessKeyId: 'SLAKOTHERAAAAAAAAAAA', secretAccessKey: 'other-secret-0123456789abcdefghijklm' };
const OPERATOR = { accessKeyId: 'SLAKOPSAAAAAAAAAAAAA', secretAccessKey: 'ops-secret-0123456789abcdefghijklmnop' };
type Key = typeof CAMPUS;

let dir: string;
let sqlitePath: string;
let server: RunningServer;
let campusIdp: OidcIssuer;
let otherIdp: OidcIssuer;
let sts: STSClient;
const events: Record<string, unknown>[] = [];
let admin: AdminApiClient;

before(async () => {
  campusIdp = await OidcIssuer.start();
  otherIdp = await OidcIssuer.start();
  dir = await mkdtemp(join(tmpdir(), 'sluice-idps-'));
  sqlitePath = join(dir, 'sluice.db');
  const seed = await SqlitePolicyStore.open(sqlitePath, { masterKey: Buffer.from(MASTER_KEY, 'base64'), accountExists: () => true });
  await seed.importAccessKey({ ...CAMPUS, account: 'campus', label: 'owner' });
  await seed.importAccessKey({ ...OTHER, account: 'other', label: 'owner' });
  await seed.importAccessKey({ ...OPERATOR, account: 'ops', label: 'operator' });
  await seed.close();
  const config = validateConfig({
    server: { accessLog: false },
    policy: { sqlitePath, masterKey: MASTER_KEY, cacheTtlSeconds: 60 },
    connections: { mem: { type: 'memory' } },
    buckets: { theses: { connection: 'mem', account: 'campus' } },
    accounts: { campus: { grants: [{ bucket: 'theses', actions: ['read', 'write'] }] }, other: { grants: [] }, ops: { grants: [] } },
    sts: { sessions: { hmacSecrets: [{ version: 1, secret: randomHmacSecret() }], signingKeys: [{ kid: 's1', privateKey: (await es256Pem()).privateKey }] } },
    admin: { operators: ['ops'] },
  }, { source: 'test', baseDir: dir, env: {}, backends: nodeBackends });
  const backend = new MemoryBackend({ readOnly: false });
  await backend.put('2030/thesis.pdf', bytesBody('a thesis'), { metadata: {} });
  server = await startServer(config, { backends: new Map([['mem', backend]]), log: { write: (entry) => void events.push(entry as Record<string, unknown>) } });
  sts = new STSClient({ region: 'us-east-1', endpoint: `${server.url}/.sts`, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
  admin = await documentedAdminClient(server.url);
});

after(async () => {
  for (const e of events) if (e.level === 'error') console.error(e);
  sts?.destroy();
  await server?.close();
  await campusIdp?.close();
  await otherIdp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A SigV4-signed management call; the response must match the document. */
const call = (as: Key, method: string, path: string, body?: unknown) => admin.call({ as, method, path, body });

const role = (account: string, provider: string) => ({
  bindings: [{ provider, audience: 'sluice', claims: [{ claim: 'project_path', operator: 'equals', value: `${account}/theses` }] }],
  permissions: [{ actions: ['read'], resources: ['*'] }],
});

async function assume(roleArn: string, token: string) {
  const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'ci', WebIdentityToken: token, DurationSeconds: 900 }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

const stsError = (name: string, message?: RegExp) => (error: unknown) =>
  error instanceof STSServiceException && error.name === name && (message === undefined || message.test(error.message));

const audits = (event: string) => {
  server.flushLog();
  return events.filter((e) => e.msg === 'audit' && e.event === event);
};

const registration = () => ({ id: 'campus-gitlab', issuer: campusIdp.issuer, audiences: ['sluice'], claims: 'gitlab-ci', local: true });

describe('account identity providers', () => {
  test('an account owner may not register a plain-http issuer; https is required', async () => {
    const refused = await call(CAMPUS, 'POST', '/accounts/campus/idps', registration());
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json.error.problems, [{ field: 'local', message: 'only an operator may register a plain-http (local) issuer' }]);
    const plain = await call(CAMPUS, 'POST', '/accounts/campus/idps', { ...registration(), local: false });
    assert.equal(plain.status, 400);
    assert.deepEqual(plain.json.error.problems.map((p: { field: string }) => p.field), ['issuer']);
    assert.equal(campusIdp.hitCount('discovery'), 0, 'a refused URL is never fetched');
  });

  test('an operator registers a local issuer for the account: discovery is fetched and checked, the registration audited', async () => {
    const created = await call(OPERATOR, 'POST', '/accounts/campus/idps', registration());
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.issuer, campusIdp.issuer);
    assert.equal(created.json.account, 'campus');
    assert.ok(campusIdp.hitCount('discovery') >= 1 && campusIdp.hitCount('jwks') >= 1);
    assert.deepEqual(audits('idp.registered').map((e) => [e.account, e.idp, e.actor]), [['campus', 'campus-gitlab', 'ops']]);
    // The issuer is unique within the account, and so is the id; every problem is reported.
    const again = await call(OPERATOR, 'POST', '/accounts/campus/idps', registration());
    assert.equal(again.status, 400);
    assert.deepEqual(again.json.error.problems.map((p: { field: string }) => p.field).sort(), ['id', 'issuer']);
    assert.deepEqual((await call(CAMPUS, 'GET', '/accounts/campus/idps')).json.identityProviders.map((p: { id: string }) => p.id), ['campus-gitlab']);
  });

  test('another account sees nothing of it: not listed, not removable, not bindable', async () => {
    assert.deepEqual((await call(OTHER, 'GET', '/accounts/other/idps')).json, { identityProviders: [] });
    assert.equal((await call(OTHER, 'GET', '/accounts/campus/idps')).status, 403);
    assert.equal((await call(OTHER, 'DELETE', '/accounts/other/idps/campus-gitlab')).status, 404);
    const bound = await call(OTHER, 'PUT', '/accounts/other/roles/sneaky', role('campus', 'campus-gitlab'));
    assert.equal(bound.status, 400);
    assert.deepEqual(bound.json.error.problems.map((p: { field: string }) => p.field), ['bindings.0.provider']);
  });

  test('the account\'s role bound to its provider exchanges with the AWS SDK, and the credentials read', async () => {
    assert.equal((await call(CAMPUS, 'PUT', '/accounts/campus/roles/ci', role('campus', 'campus-gitlab'))).status, 201);
    const token = await campusIdp.sign(OidcIssuer.gitlabClaims({ project_path: 'campus/theses' }));
    const s3 = signedClient(server.url, await assume('campus::role/ci', token));
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'theses', Key: '2030/thesis.pdf' }));
      assert.equal(await got.Body!.transformToString(), 'a thesis');
    } finally {
      s3.destroy();
    }
    // The role's claim constraints still hold.
    const wrongProject = await campusIdp.sign(OidcIssuer.gitlabClaims({ project_path: 'campus/other' }));
    await assert.rejects(assume('campus::role/ci', wrongProject), stsError('IDPRejectedClaimException', /project_path/));
  });

  test('at exchange, another account\'s role never accepts the issuer, and nothing is fetched for it', async () => {
    // The other account registers its own issuer and binds a role to it.
    assert.equal((await call(OPERATOR, 'POST', '/accounts/other/idps', { id: 'other-idp', issuer: otherIdp.issuer, audiences: ['sluice'], local: true })).status, 201);
    assert.equal((await call(OTHER, 'PUT', '/accounts/other/roles/ci', role('other', 'other-idp'))).status, 201);
    const jwksBefore = campusIdp.hitCount('jwks') + campusIdp.hitCount('discovery');
    const campusToken = await campusIdp.sign(OidcIssuer.gitlabClaims({ project_path: 'other/theses' }));
    await assert.rejects(assume('other::role/ci', campusToken), stsError('InvalidIdentityTokenException', /No OpenIDConnect provider found in your account/));
    assert.equal(campusIdp.hitCount('jwks') + campusIdp.hitCount('discovery'), jwksBefore);
    // A role written into the store behind validation's back, naming the first account's provider, cannot be assumed.
    const store = await SqlitePolicyStore.open(sqlitePath, { masterKey: Buffer.from(MASTER_KEY, 'base64'), accountExists: () => true });
    try {
      await store.putRoleDefinition('other', 'smuggled', { account: 'other', name: 'smuggled', ...role('other', 'campus-gitlab') });
    } finally {
      await store.close();
    }
    await assert.rejects(assume('other::role/smuggled', campusToken), stsError('InvalidParameterValue', /role does not exist/));
    const ownToken = await otherIdp.sign(OidcIssuer.gitlabClaims({ project_path: 'other/theses' }));
    assert.match((await assume('other::role/ci', ownToken)).accessKeyId, /^SLSS/);
  });

  test('removing the provider makes the next exchange fail at once, and is audited', async () => {
    const removed = await call(CAMPUS, 'DELETE', '/accounts/campus/idps/campus-gitlab');
    assert.deepEqual(removed.json, { deleted: true });
    assert.deepEqual(audits('idp.removed').map((e) => [e.account, e.idp, e.actor]), [['campus', 'campus-gitlab', 'campus']]);
    const token = await campusIdp.sign(OidcIssuer.gitlabClaims({ project_path: 'campus/theses' }));
    await assert.rejects(assume('campus::role/ci', token), stsError('InvalidIdentityTokenException', /No OpenIDConnect provider found/));
    assert.equal((await call(CAMPUS, 'DELETE', '/accounts/campus/idps/campus-gitlab')).status, 404);
  });
});
