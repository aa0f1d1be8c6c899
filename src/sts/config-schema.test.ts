/**
 * The `sts` configuration section: shape, cross-field checks reporting every
 * problem with its path, and assembling working STS services from it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OidcIssuer } from '../../test/support/oidc-issuer.ts';
import { bytesBody, readAll } from '../core/body.ts';
import { checkStsConfig, stsConfigSchema } from './config-schema.ts';
import { createSts } from './create-sts.ts';
import { es256Pem, randomHmacSecret } from './session-keyring.test-helper.ts';

let issuer: OidcIssuer;
let keys: { privateKey: string; publicKey: string };
before(async () => {
  issuer = await OidcIssuer.start();
  keys = await es256Pem();
});
after(() => issuer.close());

const section = (overrides: Record<string, unknown> = {}) => ({
  identityProviders: [{ id: 'login', issuer: issuer.issuer, audiences: ['sluice'], local: true }],
  primaryIdentityProvider: 'login',
  sessions: { hmacSecrets: [{ version: 1, secret: randomHmacSecret() }], signingKeys: [{ kid: 's1', privateKey: keys.privateKey }] },
  roles: [{ account: 'acme', name: 'reader', bindings: [{ provider: 'login', audience: 'sluice' }], permissions: [{ actions: ['read'], resources: ['*'] }] }],
  ...overrides,
});
const context = { addressing: 'path' as const, accountExists: (a: string) => a === 'acme' };

test('a valid section: defaults applied and roles built', () => {
  const config = stsConfigSchema.parse(section());
  assert.equal(config.sessions.audience, 'sluice-session');
  assert.equal(config.sessions.issuer, 'sluice');
  const { roles, problems } = checkStsConfig(config, context);
  assert.deepEqual(problems, []);
  assert.deepEqual(roles.map((r) => `${r.account}::role/${r.name}`), ['acme::role/reader']);
});

test('shape problems: short or non-base64 secrets, bad versions, keys with neither or both halves', () => {
  const result = stsConfigSchema.safeParse(section({
    sessions: {
      hmacSecrets: [{ version: 0, secret: btoa('too short') }, { version: 2, secret: 'not base64!' }],
      signingKeys: [{ kid: 'a' }, { kid: 'b', privateKey: keys.privateKey, publicKey: keys.publicKey }, { kid: 'c', privateKey: 'not a pem' }],
    },
  }));
  assert.equal(result.success, false);
  assert.deepEqual(result.error!.issues.map((i) => i.path.join('.')).sort(), [
    'sessions.hmacSecrets.0.secret',
    'sessions.hmacSecrets.0.version',
    'sessions.hmacSecrets.1.secret',
    'sessions.signingKeys.0',
    'sessions.signingKeys.1',
    'sessions.signingKeys.2.privateKey',
  ]);
  assert.ok(!JSON.stringify(result.error!.issues).includes('too short'));
});

test('cross-field problems, all at once, with paths into the section', () => {
  const config = stsConfigSchema.parse(section({
    primaryIdentityProvider: 'nope',
    sessions: {
      hmacSecrets: [{ version: 1, secret: randomHmacSecret() }, { version: 1, secret: randomHmacSecret() }],
      activeHmacVersion: 3,
      signingKeys: [{ kid: 's1', publicKey: keys.publicKey }, { kid: 's1', publicKey: keys.publicKey }],
      activeSigningKey: 's9',
    },
    roles: [
      { account: 'ghost', name: 'reader', bindings: [{ provider: 'login', audience: 'sluice' }], permissions: [{ actions: ['read'], resources: ['*'] }] },
      { account: 'acme', name: 'x', bindings: [{ provider: 'github', audience: 'sluice' }], permissions: [{ actions: ['read'], resources: ['*'] }] },
      { account: 'acme', name: 'dup', bindings: [{ provider: 'login', audience: 'sluice' }], permissions: [{ actions: ['read'], resources: ['*'] }] },
      { account: 'acme', name: 'dup', bindings: [{ provider: 'login', audience: 'sluice' }], permissions: [{ actions: ['read'], resources: ['*'] }] },
    ],
  }));
  const { problems } = checkStsConfig(config, context);
  assert.deepEqual(problems.map((p) => p.path).sort(), [
    'primaryIdentityProvider',
    'roles.0.account',
    'roles.1.bindings.0.provider',
    'roles.3.name',
    'sessions.activeHmacVersion',
    'sessions.activeSigningKey',
    'sessions.hmacSecrets.1.version',
    'sessions.signingKeys',
    'sessions.signingKeys.1.kid',
  ]);
});

test('createSts assembles routes and a credential source that work together', async () => {
  const config = stsConfigSchema.parse(section());
  const { roles } = checkStsConfig(config, context);
  const audit: Record<string, unknown>[] = [];
  const sts = await createSts({
    config, roles, accountExists: context.accountExists,
    fetch: (url, init) => fetch(url, init), now: () => new Date(), random: (b) => crypto.getRandomValues(b),
    log: { write() {} }, audit: { write: (e) => audit.push(e) },
  });
  assert.deepEqual(sts.routes.map((r) => r.path), ['/.sts', '/.sts/assume-role-with-web-identity', '/.sts/']);
  const token = await issuer.sign({ sub: 'acme', aud: 'sluice' });
  const body = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: 'acme::role/_default', RoleSessionName: 'cli', WebIdentityToken: token });
  const response = await sts.routes[0]!.handle(
    { method: 'POST', rawPath: '/.sts', rawQuery: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: bytesBody(body.toString()), client: {} },
    { requestId: 'R1', now: () => new Date(), log: { write() {} } },
  );
  const text = new TextDecoder().decode(await readAll(response.body!));
  assert.equal(response.status, 200, text);
  const accessKeyId = /<AccessKeyId>(.+?)<\/AccessKeyId>/.exec(text)![1]!;
  const sessionToken = /<SessionToken>(.+?)<\/SessionToken>/.exec(text)![1]!;
  const resolved = await sts.credentialSource.resolve(accessKeyId, sessionToken);
  assert.equal(resolved?.identity.account, 'acme');
  assert.deepEqual(resolved?.identity.ceiling, [{ bucket: '*', actions: ['read', 'write'] }]);
  assert.equal(audit.length, 1);
});
