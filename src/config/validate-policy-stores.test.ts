import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';
import { NODE_RUNTIME } from '../runtimes/node/config-file.ts';

const MASTER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(42)));
const PG = 'postgresql://sluice:pw@db.internal:5432/sluice';

describe('validateConfig: the PostgreSQL store and the Redis cache', () => {
  it('keeps a PostgreSQL URL and a Redis URL with the master key', () => {
    const config = validateConfig({ policy: { postgresUrl: PG, redisUrl: 'redis://cache:6379/2', masterKey: MASTER_KEY } }, options);
    assert.deepEqual(config.policy, { postgresUrl: PG, redisUrl: 'redis://cache:6379/2', masterKey: MASTER_KEY, cacheTtlSeconds: 30 });
  });

  it('refuses both database stores at once', () => {
    assert.deepEqual(linesOf({ policy: { postgresUrl: PG, sqlitePath: 'x.db', masterKey: MASTER_KEY } }), [
      'policy.postgresUrl: give policy.sqlitePath or policy.postgresUrl, not both',
    ]);
  });

  it('requires the master key with a PostgreSQL store or a Redis cache', () => {
    assert.deepEqual(linesOf({ policy: { postgresUrl: PG } }), ['policy.masterKey: required when policy.postgresUrl is set (it encrypts the stored secrets)']);
    assert.deepEqual(linesOf({ policy: { redisUrl: 'redis://127.0.0.1' } }), [
      'policy.masterKey: required when policy.redisUrl is set (it encrypts the entries shared through Redis)',
    ]);
  });

  it('checks the URLs’ form without repeating them (they may hold passwords)', () => {
    const lines = linesOf({ policy: { postgresUrl: 'mysql://u:hunter2@h/db', redisUrl: 'not a url hunter2', masterKey: MASTER_KEY } });
    assert.deepEqual(lines, [
      'policy.postgresUrl: must start with postgres:// or postgresql://',
      'policy.redisUrl: must be a URL (redis://… or rediss://…)',
    ]);
    assert.ok(lines.every((line) => !line.includes('hunter2')));
  });

  it('checks grants for form only when the accounts may live in PostgreSQL', () => {
    const config = validateConfig({
      accounts: { research: { grants: [{ bucket: 'elsewhere', actions: ['read'] }] } },
      accessKeys: { SLAKEXAMPLEKEYAAAAAA: { secret: 'research-secret-0123456789', account: 'stored-account' } },
      policy: { postgresUrl: PG, masterKey: MASTER_KEY },
    }, options);
    assert.equal(config.accessKeys[0]?.account, 'stored-account');
  });
});

describe('validateConfig: the remote policy API store', () => {
  const api = { type: 'api', url: 'https://policy.example.com/v1', auth: { type: 'bearer', token: 'a-static-token-of-length' } };

  it('keeps type api with its URL, auth and per-lookup settings, and lets grants name products the API holds', () => {
    const config = validateConfig({
      server: { addressing: 'path-mapped' },
      accounts: { acme: { grants: [{ bucket: 'globex/maps', actions: ['read'] }] } },
      policy: { ...api, lookups: { permissions: { ttlSeconds: 45, staleSeconds: 60 } } },
    }, options);
    assert.equal(config.policy.type, 'api');
    assert.deepEqual(config.policy.auth, { type: 'bearer', token: 'a-static-token-of-length' });
    assert.deepEqual(config.policy.lookups, { permissions: { ttlSeconds: 45, staleSeconds: 60 } });
  });

  it('requires the URL and auth, stands alone, and bounds each lookup’s TTL to 30–60 s', () => {
    assert.deepEqual(linesOf({ policy: { type: 'api' } }), [
      'policy.url: required with type: api (the policy API\'s base URL)',
      'policy.auth: required with type: api ({ type: bearer, token } or { type: issuer, audience })',
    ]);
    assert.deepEqual(linesOf({ policy: { ...api, sqlitePath: 'x.db', masterKey: MASTER_KEY } }), ['policy.sqlitePath: not with type: api (the policy API is the store)']);
    assert.deepEqual(linesOf({ policy: { ...api, lookups: { products: { ttlSeconds: 5, staleSeconds: 0 } } } }), ['policy.lookups.products.ttlSeconds: must be 30 to 60 seconds']);
    assert.deepEqual(linesOf({ policy: { ...api, auth: { type: 'issuer', audience: 'https://policy.example.com' } } }), [
      'policy.auth: type: issuer signs with this server\'s OIDC issuer: configure the issuer section',
    ]);
  });

  it('refuses API fields without type api, and other types', () => {
    assert.deepEqual(linesOf({ policy: { url: 'https://policy.example.com' } }), ['policy.url: applies to type: api only']);
    assert.equal(linesOf({ policy: { type: 'ldap' } }).length, 1);
    assert.match(linesOf({ policy: { ...api, auth: { type: 'basic' } } })[0]!, /policy.auth/);
  });
});

describe('validateConfig: the D1 store (Cloudflare Workers)', () => {
  const d1 = { type: 'd1', binding: 'SLUICE_DB', masterKey: MASTER_KEY };

  it('keeps type d1 with its binding and the master key, and lets grants and keys name accounts and buckets D1 holds', () => {
    const config = validateConfig({
      accounts: { research: { grants: [{ bucket: 'held-in-d1', actions: ['read'] }] } },
      accessKeys: { SLAKEXAMPLEKEYAAAAAA: { secret: 'research-secret-0123456789', account: 'stored-account' } },
      policy: { ...d1, cacheTtlSeconds: 5 },
    }, options);
    assert.deepEqual(config.policy, { type: 'd1', binding: 'SLUICE_DB', masterKey: MASTER_KEY, cacheTtlSeconds: 5 });
    assert.equal(config.accessKeys[0]?.account, 'stored-account');
  });

  it('requires the binding and the master key with type d1, and stands alone', () => {
    assert.deepEqual(linesOf({ policy: { type: 'd1' } }), [
      'policy.binding: required with type: d1 (the name of the Worker\'s D1 database binding in wrangler.toml, e.g. SLUICE_DB)',
      'policy.masterKey: required with type: d1 (it decrypts the secrets stored in the D1 database)',
    ]);
    assert.deepEqual(linesOf({ policy: { ...d1, sqlitePath: 'x.db' } }), ['policy.sqlitePath: not with type: d1 (the D1 database is the store)']);
    assert.deepEqual(linesOf({ policy: { ...d1, postgresUrl: PG } }), ['policy.postgresUrl: not with type: d1 (the D1 database is the store)']);
    assert.deepEqual(linesOf({ policy: { ...d1, url: 'https://policy.example.com' } }), ['policy.url: applies to type: api only']);
  });

  it('takes a binding name as wrangler.toml writes it, and only with type d1', () => {
    for (const binding of ['DB', 'SLUICE_DB', '_db', '$db', 'policyDb2']) {
      assert.equal(validateConfig({ policy: { ...d1, binding } }, options).policy.binding, binding);
    }
    const message = 'must be a binding name as in wrangler.toml: letters, digits, "_" or "$", not starting with a digit (e.g. SLUICE_DB)';
    for (const binding of ['', '2DB', 'sluice-db', 'SLUICE DB', 'env.DB']) {
      assert.deepEqual(linesOf({ policy: { ...d1, binding } }), [`policy.binding: ${message}`], binding);
    }
    assert.deepEqual(linesOf({ policy: { binding: 'SLUICE_DB' } }), ['policy.binding: applies to type: d1 only']);
  });

  it('names the policy types when another is given', () => {
    assert.deepEqual(linesOf({ policy: { type: 'sqlite' } }), [
      'policy.type: must be "api" (a remote policy API) or "d1" (a D1 database on Cloudflare Workers); leave it out for the configuration file with an optional database',
    ]);
  });

  it('is refused on Node, saying it is a Workers store', () => {
    assert.deepEqual(linesOf({ policy: d1 }, { runtime: NODE_RUNTIME }), [
      'policy.type: type "d1" is not available on Node.js: D1 is a Cloudflare Workers store (a database bound to the Worker); for a database here use policy.sqlitePath or policy.postgresUrl',
    ]);
    // Node's databases stay available there.
    assert.equal(validateConfig({ policy: { postgresUrl: PG, masterKey: MASTER_KEY } }, { ...options, runtime: NODE_RUNTIME }).policy.postgresUrl, PG);
  });
});
