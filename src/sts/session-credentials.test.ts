/**
 * Session credentials end to end without a server: minting, resolving them
 * back to an identity, key rotation, and every kind of tampering.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { SignJWT, decodeJwt, importPKCS8 } from 'jose';
import { S3Error } from '../core/errors/s3-error.ts';
import { mintSessionCredentials } from './mint-session.ts';
import type { Role } from './role.ts';
import { deriveSessionSecret, newSessionKeyId, sessionKeyVersion } from './session-access-key.ts';
import { SessionCredentialSource } from './session-credential-source.ts';
import { StoredKeyringSource } from './session-keyring-source.ts';
import type { SessionPrincipalIdentity } from './session-identity.ts';
import { SessionKeyring, type SessionKeyringConfig } from './session-keyring.ts';
import { es256Pem, randomHmacSecret, testKeyringConfig } from './session-keyring.test-helper.ts';

const role: Role = {
  account: 'acme',
  name: 'deploy',
  bindings: [{ provider: 'github', audience: 'sluice', constraints: [] }],
  permissions: [{ actions: ['read'], resources: ['acme::bucket/site/data/*'] }],
  ceiling: [{ bucket: 'site', actions: ['read'], prefixes: ['data'] }],
  maxSessionDurationSeconds: 3600,
};

let clock: Date;
let config: SessionKeyringConfig;
let keyring: SessionKeyring;

const random = (bytes: Uint8Array) => crypto.getRandomValues(bytes);
const mint = (k = keyring, durationSeconds = 900) =>
  mintSessionCredentials(k, { role, sessionName: 'run-7', assumedBy: 'repo:acme/site:ref:refs/heads/main', assumedByIssuer: 'https://token.actions.githubusercontent.com', durationSeconds, now: clock, random });
const source = (k = keyring) => new SessionCredentialSource({ keyring: k, now: () => clock });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof S3Error, `expected an S3Error, got ${String(error)}`);
  return `${error.status} ${error.code}`;
}

/** Re-encode a token's payload, keeping header and signature. */
function withPayload(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, , signature] = token.split('.');
  const claims = decodeJwt(token) as Record<string, unknown>;
  change(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

beforeEach(async () => {
  clock = new Date('2026-06-01T12:00:00.123Z');
  config = await testKeyringConfig();
  keyring = await SessionKeyring.create(config);
});

test('round trip: minted credentials resolve to the role\'s account, ceiling and session', async () => {
  const creds = await mint();
  assert.match(creds.accessKeyId, /^SLSS1[A-Z2-7]{15}$/);
  assert.equal(creds.secretAccessKey.length, 40);
  assert.equal(creds.expiration.toISOString(), '2026-06-01T12:15:00.000Z');
  const resolved = await source().resolve(creds.accessKeyId, creds.sessionToken);
  assert.ok(resolved);
  assert.equal(resolved.secretAccessKey, creds.secretAccessKey);
  const identity = resolved.identity as SessionPrincipalIdentity;
  assert.equal(identity.account, 'acme');
  assert.equal(identity.accessKeyId, creds.accessKeyId);
  assert.deepEqual(identity.ceiling, role.ceiling);
  assert.deepEqual(identity.session, {
    role: 'deploy',
    sessionName: 'run-7',
    assumedBy: 'repo:acme/site:ref:refs/heads/main',
    issuer: 'https://token.actions.githubusercontent.com',
    issuedAt: new Date(Math.floor(clock.getTime() / 1000) * 1000),
    expiresAt: creds.expiration,
  });
});

test('the session token carries the documented claims and a kid', async () => {
  const creds = await mint();
  const claims = decodeJwt(creds.sessionToken);
  assert.deepEqual(Object.keys(claims).sort(), ['access_key_id', 'account_id', 'assumed_by', 'assumed_by_issuer', 'aud', 'ceiling', 'exp', 'iat', 'iss', 'nbf', 'role_name', 'session_name']);
  assert.equal(claims.access_key_id, creds.accessKeyId);
  assert.equal(claims.aud, 'sluice-session');
  const header = JSON.parse(Buffer.from(creds.sessionToken.split('.')[0]!, 'base64url').toString());
  assert.deepEqual(header, { alg: 'ES256', kid: 'session-1', typ: 'sluice-session+jwt' });
});

test('the secret is derived from the key id alone, deterministically', async () => {
  const id = newSessionKeyId(1, random);
  assert.equal(sessionKeyVersion(id), 1);
  assert.equal(await deriveSessionSecret(keyring, id), await deriveSessionSecret(keyring, id));
  assert.notEqual(await deriveSessionSecret(keyring, id), await deriveSessionSecret(keyring, newSessionKeyId(1, random)));
  const other = await SessionKeyring.create(await testKeyringConfig());
  assert.notEqual(await deriveSessionSecret(other, id), await deriveSessionSecret(keyring, id));
});

test('long-lived key ids are not this source\'s business', async () => {
  assert.equal(await source().resolve('SLAKABCDEFGHIJKLMNOP', undefined), null);
  assert.equal(await source().resolve('AKIAIOSFODNN7EXAMPLE', 'token'), null);
});

test('a session key id without its token: 403 InvalidAccessKeyId', async () => {
  const creds = await mint();
  assert.equal(await refusal(source().resolve(creds.accessKeyId, undefined)), '403 InvalidAccessKeyId');
  assert.equal(await refusal(source().resolve(creds.accessKeyId, '')), '403 InvalidAccessKeyId');
});

test('a malformed session key id: 403 InvalidAccessKeyId', async () => {
  const creds = await mint();
  assert.equal(await refusal(source().resolve('SLSS0AAAAAAAAAAAAAAA', creds.sessionToken)), '403 InvalidAccessKeyId');
  assert.equal(await refusal(source().resolve('SLSSX', creds.sessionToken)), '403 InvalidAccessKeyId');
});

test('expired: ExpiredToken, also once the verified token is cached', async () => {
  const creds = await mint();
  const s = source();
  await s.resolve(creds.accessKeyId, creds.sessionToken);
  clock = new Date(creds.expiration.getTime());
  assert.equal(await refusal(s.resolve(creds.accessKeyId, creds.sessionToken)), '400 ExpiredToken');
  assert.equal(await refusal(source().resolve(creds.accessKeyId, creds.sessionToken)), '400 ExpiredToken');
});

test('tampering: every altered token is InvalidToken, never anonymous', async () => {
  const creds = await mint();
  const other = await mint();
  const foreign = await mint(await SessionKeyring.create(await testKeyringConfig()));
  const pem = (await es256Pem()).privateKey;
  const signedBy = async (key: string, header: Record<string, unknown>, change: (c: Record<string, unknown>) => void = () => {}) => {
    const claims = decodeJwt(creds.sessionToken) as Record<string, unknown>;
    change(claims);
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', ...header }).sign(await importPKCS8(key, 'ES256'));
  };
  const own = config.signingKeys[0]!.privateKey!;
  const cases: [string, string, string][] = [
    ['a widened ceiling', creds.accessKeyId, withPayload(creds.sessionToken, (c) => (c.ceiling = [{ bucket: '*', actions: ['read', 'write'] }]))],
    ['another account', creds.accessKeyId, withPayload(creds.sessionToken, (c) => (c.account_id = 'victim'))],
    ['an extended expiry', creds.accessKeyId, withPayload(creds.sessionToken, (c) => (c.exp = (c.exp as number) + 86_400))],
    ['another session\'s token', creds.accessKeyId, other.sessionToken],
    ['a token from another server\'s keys (same kid)', foreign.accessKeyId, foreign.sessionToken],
    ['a stranger\'s key under our kid', creds.accessKeyId, await signedBy(pem, { kid: 'session-1', typ: 'sluice-session+jwt' })],
    ['an unknown kid', creds.accessKeyId, await signedBy(own, { kid: 'session-9', typ: 'sluice-session+jwt' })],
    ['no typ', creds.accessKeyId, await signedBy(own, { kid: 'session-1' })],
    ['a wrong audience', creds.accessKeyId, await signedBy(own, { kid: 'session-1', typ: 'sluice-session+jwt' }, (c) => (c.aud = 'elsewhere'))],
    ['an empty ceiling', creds.accessKeyId, await signedBy(own, { kid: 'session-1', typ: 'sluice-session+jwt' }, (c) => (c.ceiling = []))],
    ['no ceiling', creds.accessKeyId, await signedBy(own, { kid: 'session-1', typ: 'sluice-session+jwt' }, (c) => delete c.ceiling)],
    ['a bad action in the ceiling', creds.accessKeyId, await signedBy(own, { kid: 'session-1', typ: 'sluice-session+jwt' }, (c) => (c.ceiling = [{ bucket: '*', actions: ['admin'] }]))],
    ['alg none', creds.accessKeyId, `${Buffer.from('{"alg":"none","typ":"sluice-session+jwt"}').toString('base64url')}.${creds.sessionToken.split('.')[1]}.`],
    ['garbage', creds.accessKeyId, 'not-a-token'],
    ['a truncated signature', creds.accessKeyId, creds.sessionToken.slice(0, -4)],
  ];
  for (const [name, accessKeyId, token] of cases) {
    assert.equal(await refusal(source().resolve(accessKeyId, token)), '400 InvalidToken', name);
  }
});

test('HMAC rotation: old credentials resolve while their version is configured, new ones use the active version', async () => {
  const old = await mint();
  const rotated = await SessionKeyring.create({ ...config, hmacSecrets: [...config.hmacSecrets, { version: 2, secret: randomHmacSecret() }] });
  assert.equal(rotated.activeHmacVersion, 2);
  const fresh = await mint(rotated);
  assert.match(fresh.accessKeyId, /^SLSS2/);
  assert.equal((await source(rotated).resolve(old.accessKeyId, old.sessionToken))?.secretAccessKey, old.secretAccessKey);
  assert.equal((await source(rotated).resolve(fresh.accessKeyId, fresh.sessionToken))?.secretAccessKey, fresh.secretAccessKey);
  const retired = await SessionKeyring.create({ ...config, hmacSecrets: [{ version: 2, secret: randomHmacSecret() }] });
  assert.equal(await refusal(source(retired).resolve(old.accessKeyId, old.sessionToken)), '403 InvalidAccessKeyId');
});

test('signing key rotation: tokens of a retired key verify while its public key is configured', async () => {
  const old = await mint();
  const next = await es256Pem();
  const { privateKey } = config.signingKeys[0]!;
  const rotatedConfig: SessionKeyringConfig = { ...config, signingKeys: [{ kid: 'session-2', privateKey: next.privateKey }, { kid: 'session-1', privateKey }] };
  const rotated = await SessionKeyring.create(rotatedConfig);
  assert.equal(rotated.signing.kid, 'session-2');
  assert.ok(await source(rotated).resolve(old.accessKeyId, old.sessionToken));
  const fresh = await mint(rotated);
  assert.ok(await source(rotated).resolve(fresh.accessKeyId, fresh.sessionToken));
  const withoutOld = await SessionKeyring.create({ ...config, signingKeys: [{ kid: 'session-2', privateKey: next.privateKey }] });
  assert.equal(await refusal(source(withoutOld).resolve(old.accessKeyId, old.sessionToken)), '400 InvalidToken');
  const verifyOnly = await SessionKeyring.create({ ...config, signingKeys: [{ kid: 'session-2', privateKey: next.privateKey }, { kid: 'session-3', publicKey: next.publicKey }] });
  assert.equal(verifyOnly.signing.kid, 'session-2');
});

test('keyring configuration mistakes are programming errors at start-up', async () => {
  await assert.rejects(SessionKeyring.create({ ...config, hmacSecrets: [{ version: 0, secret: randomHmacSecret() }] }), TypeError);
  await assert.rejects(SessionKeyring.create({ ...config, hmacSecrets: [{ version: 1, secret: btoa('short') }] }), TypeError);
  await assert.rejects(SessionKeyring.create({ ...config, activeHmacVersion: 3 }), TypeError);
  await assert.rejects(SessionKeyring.create({ ...config, signingKeys: [{ kid: 'v', publicKey: (await es256Pem()).publicKey }] }), TypeError);
});

test('session keys kept in the store, none made yet: a session key id is one this server never issued → 403 InvalidAccessKeyId', async () => {
  const creds = await mint();
  const keyless = new StoredKeyringSource({ store: { sessionKeys: async () => [] }, audience: 'sluice-session', issuer: 'sluice', ttlMs: 30_000, now: () => clock.getTime() });
  const refused = new SessionCredentialSource({ keyring: keyless, now: () => clock });
  assert.equal(await refusal(refused.resolve(creds.accessKeyId, creds.sessionToken)), '403 InvalidAccessKeyId');
});
