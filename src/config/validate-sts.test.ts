import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { es256Pem, randomHmacSecret } from '../sts/session-keyring.test-helper.ts';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

let env: Record<string, string>;
before(async () => {
  env = { SESSION_HMAC: randomHmacSecret(), SESSION_KEY: (await es256Pem()).privateKey };
});

const sts = (overrides: Record<string, unknown> = {}) => ({
  identityProviders: [{ id: 'github', issuer: 'https://token.actions.githubusercontent.com', audiences: ['sluice'], claims: 'github-actions' }],
  sessions: { hmacSecrets: [{ version: 1, secret: '${env:SESSION_HMAC}' }], signingKeys: [{ kid: 's1', privateKey: '${env:SESSION_KEY}' }] },
  roles: [{
    account: 'acme',
    name: 'reader',
    bindings: [{ provider: 'github', audience: 'sluice', claims: [{ claim: 'sub', operator: 'starts_with', value: 'repo:acme/' }] }],
    permissions: [{ actions: ['read'], resources: ['acme::bucket/data/*'] }],
  }],
  ...overrides,
});

const base = { connections: { m: { type: 'memory' } }, buckets: { data: { connection: 'm' } }, accounts: { acme: { grants: [{ bucket: 'data', actions: ['read'] }] } } };

describe('validateConfig: the sts section', () => {
  it('takes keys from the environment and turns role definitions into roles', () => {
    const config = validateConfig({ ...base, sts: sts() }, { ...options, env });
    assert.equal(config.sts?.sessions.hmacSecrets?.[0]?.secret, env.SESSION_HMAC);
    assert.deepEqual(config.sts?.roles.map((r) => [r.account, r.name, r.ceiling]), [['acme', 'reader', [{ bucket: 'data', actions: ['read'] }]]]);
  });

  it('is absent when not configured', () => {
    assert.equal(validateConfig(base, options).sts, undefined);
  });

  it('reports its cross-checks together with problems of other sections, never repeating a secret', () => {
    const lines = linesOf({
      ...base,
      buckets: { data: { connection: 'nowhere' } },
      sts: sts({
        sessions: {
          hmacSecrets: [{ version: 1, secret: '${env:SESSION_HMAC}' }, { version: 1, secret: '${env:SESSION_HMAC}' }],
          signingKeys: [{ kid: 's1', privateKey: '${env:SESSION_KEY}' }],
          activeSigningKey: 'missing',
        },
        primaryIdentityProvider: 'gitlab',
        roles: [{ ...sts().roles[0], account: 'nobody' }],
      }),
    }, { env });
    assert.deepEqual(lines, [
      'buckets.data.connection: no such connection (defined: m)',
      // In the order the section's fields are written.
      'sts.sessions.hmacSecrets[1].version: duplicate HMAC secret version',
      'sts.sessions.activeSigningKey: is not a configured signing key with a privateKey',
      'sts.roles[0].account: is not a configured account',
      'sts.primaryIdentityProvider: is not a configured identity provider',
    ]);
    assert.ok(!lines.join('\n').includes(env.SESSION_HMAC!));
  });

  it('names an unset environment variable for a session key', () => {
    const lines = linesOf({ ...base, sts: sts() }, { env: { SESSION_KEY: env.SESSION_KEY! } });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^sts\.sessions\.hmacSecrets\[0\]\.secret: .*SESSION_HMAC/);
  });
  it('leaves the session keys to the policy store when neither hmacSecrets nor signingKeys is given, which needs a store', () => {
    const stored = sts({ sessions: {} });
    assert.deepEqual(linesOf({ ...base, sts: stored }, { env }), [
      'sts.sessions: without hmacSecrets and signingKeys, session keys live in the policy store: set policy.sqlitePath or policy.postgresUrl',
    ]);
    const policy = { sqlitePath: 'sluice.db', masterKey: btoa('k'.repeat(32)) };
    assert.equal(validateConfig({ ...base, policy, sts: stored }, { ...options, env }).sts?.sessions.hmacSecrets, undefined);
    const postgres = { postgresUrl: 'postgresql://127.0.0.1/sluice', masterKey: btoa('k'.repeat(32)) };
    assert.equal(validateConfig({ ...base, policy: postgres, sts: stored }, { ...options, env }).sts?.sessions.signingKeys, undefined);
    assert.deepEqual(linesOf({ ...base, policy, sts: sts({ sessions: { activeHmacVersion: 2 } }) }, { env }), [
      'sts.sessions.activeHmacVersion: applies to keys given here; the policy store\'s newest version is its active one',
    ]);
    assert.deepEqual(linesOf({ ...base, policy, sts: sts({ sessions: { hmacSecrets: [{ version: 1, secret: '${env:SESSION_HMAC}' }] } }) }, { env }), [
      'sts.sessions.signingKeys: give both hmacSecrets and signingKeys, or neither (the keys then live in the policy store)',
    ]);
  });
});
