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
  identityProviders: [{ id: 'corp', issuer: 'https://login.example.com', audiences: ['sluice-console'] }],
  sessions: { hmacSecrets: [{ version: 1, secret: '${env:SESSION_HMAC}' }], signingKeys: [{ kid: 's1', privateKey: '${env:SESSION_KEY}' }] },
  ...overrides,
});
const base = { connections: { m: { type: 'memory' } }, buckets: { data: { connection: 'm' } }, accounts: { acme: { grants: [] } } };

describe('validateConfig: the console section', () => {
  it('is absent when not configured, and enabled with defaults when given empty', () => {
    assert.equal(validateConfig(base, options).console, undefined);
    assert.deepEqual(validateConfig({ ...base, console: {} }, options).console, { enabled: true });
  });

  it('accepts a sign-in provider that STS trusts, with openid as the default scope', () => {
    const config = validateConfig({
      ...base,
      sts: sts(),
      console: { oidc: { issuer: 'https://login.example.com', clientId: 'sluice-console', role: 'acme::role/reader' } },
    }, { ...options, env });
    assert.deepEqual(config.console?.oidc, { issuer: 'https://login.example.com', clientId: 'sluice-console', role: 'acme::role/reader', scopes: ['openid'] });
  });

  it('accepts no role when the provider is the primary one (the _default role of the account in sub)', () => {
    const config = validateConfig({
      ...base,
      sts: sts({ primaryIdentityProvider: 'corp' }),
      console: { oidc: { issuer: 'https://login.example.com', clientId: 'sluice-console' } },
    }, { ...options, env });
    assert.equal(config.console?.oidc?.role, undefined);
  });

  it('reports every problem of the section at once, with those of other sections', () => {
    const lines = linesOf({
      ...base,
      buckets: { data: { connection: 'nowhere' } },
      console: { enabled: 'yes', oidc: { issuer: '', clientId: '', role: 'reader', scopes: ['profile', 'a b'], extra: 1 } },
    }, { env });
    assert.deepEqual(lines, [
      'buckets.data.connection: no such connection (defined: m)',
      'console.enabled: expected true or false, got a string',
      'console.oidc.issuer: name the identity provider\'s issuer URL',
      'console.oidc.clientId: must not be empty',
      'console.oidc.role: must be a role reference such as acme::role/reader',
      'console.oidc.scopes[1]: a scope is printable ASCII without spaces, quotes or backslashes',
      'console.oidc.scopes: must include "openid"',
      'console.oidc.extra: unknown field',
    ]);
  });

  it('requires the sts section, a provider with the same issuer and the client id among its audiences', () => {
    assert.deepEqual(linesOf({ ...base, console: { oidc: { issuer: 'https://login.example.com', clientId: 'c', role: 'acme::role/r' } } }, { env }), [
      'console.oidc: signing in to the console exchanges ID tokens at /.sts: configure the sts section too',
    ]);
    assert.deepEqual(linesOf({ ...base, sts: sts(), console: { oidc: { issuer: 'https://login.example.com/', clientId: 'c', role: 'acme::role/r' } } }, { env }), [
      'console.oidc.issuer: must be the issuer of one of sts.identityProviders (compared exactly)',
    ]);
    assert.deepEqual(linesOf({ ...base, sts: sts(), console: { oidc: { issuer: 'https://login.example.com', clientId: 'other' } } }, { env }), [
      'console.oidc.clientId: must be one of the audiences of identity provider "corp": the ID token\'s audience is the client id',
      'console.oidc.role: name a role, or make "corp" the sts.primaryIdentityProvider so its tokens assume the _default role of the account their sub names',
    ]);
  });

  it('checks nothing across sections when the console is disabled', () => {
    assert.equal(validateConfig({ ...base, console: { enabled: false, oidc: { issuer: 'https://x.example', clientId: 'c' } } }, options).console?.enabled, false);
  });
});
