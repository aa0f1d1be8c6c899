import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesOf, options, problemsOf } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

const MASTER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(42)));
const KEY_ID = 'SLAKEXAMPLEKEYAAAAAA';
const SECRET = 'research-secret-0123456789';

const base = {
  connections: { m: { type: 'memory' } },
  buckets: { climate: { connection: 'm' }, models: { connection: 'm' } },
};

describe('validateConfig accounts, access keys and policy: values', () => {
  it('fills defaults: no grants, unlabelled active keys without expiry or ceiling, a 30 s cache', () => {
    const config = validateConfig(
      { ...base, accounts: { research: {} }, accessKeys: { [KEY_ID]: { secret: SECRET, account: 'research' } } },
      options,
    );
    assert.deepEqual(config.accounts, [{ name: 'research', grants: [] }]);
    assert.deepEqual(config.accessKeys, [
      { accessKeyId: KEY_ID, secretAccessKey: SECRET, account: 'research', label: '', status: 'active' },
    ]);
    assert.deepEqual(config.policy, { cacheTtlSeconds: 30 });
  });

  it('keeps grants, ceilings, labels, expiry and the disabled flag', () => {
    const config = validateConfig(
      {
        ...base,
        accounts: {
          research: {
            grants: [
              { bucket: 'climate', actions: ['read', 'write'], prefixes: ['data', 'models/2024/', 'data'] },
              { bucket: '*', actions: ['read'] },
            ],
          },
          visitors: { grants: [] },
        },
        accessKeys: {
          [KEY_ID]: {
            secret: SECRET,
            account: 'research',
            label: 'hpc-cluster',
            expires: '2027-06-30',
            ceiling: [{ bucket: '*', actions: ['read'] }],
          },
          SLAKOTHERKEYBBBBBBBB: { secret: SECRET, account: 'visitors', expires: '2027-06-30T12:00:00+02:00', disabled: true },
        },
      },
      options,
    );
    assert.deepEqual(config.accounts, [
      {
        name: 'research',
        grants: [
          // Duplicate prefixes are harmless and kept as written.
          { bucket: 'climate', actions: ['read', 'write'], prefixes: ['data', 'models/2024/', 'data'] },
          { bucket: '*', actions: ['read'] },
        ],
      },
      { name: 'visitors', grants: [] },
    ]);
    assert.deepEqual(config.accessKeys, [
      {
        accessKeyId: KEY_ID,
        secretAccessKey: SECRET,
        account: 'research',
        label: 'hpc-cluster',
        status: 'active',
        expiresAt: new Date('2027-06-30T00:00:00Z'),
        ceiling: [{ bucket: '*', actions: ['read'] }],
      },
      {
        accessKeyId: 'SLAKOTHERKEYBBBBBBBB',
        secretAccessKey: SECRET,
        account: 'visitors',
        label: '',
        status: 'disabled',
        expiresAt: new Date('2027-06-30T10:00:00Z'),
      },
    ]);
  });

  it('resolves the SQLite path against the config folder and keeps the master key and cache time', () => {
    const relative = validateConfig({ policy: { sqlitePath: 'state/sluice.db', masterKey: MASTER_KEY, cacheTtlSeconds: 0 } }, options);
    assert.deepEqual(relative.policy, { sqlitePath: '/srv/sluice/state/sluice.db', masterKey: MASTER_KEY, cacheTtlSeconds: 0 });
    const absolute = validateConfig({ policy: { sqlitePath: '/var/lib/sluice.db', masterKey: MASTER_KEY, cacheTtlSeconds: 60 } }, options);
    assert.equal(absolute.policy.sqlitePath, '/var/lib/sluice.db');
    const custom = validateConfig({ policy: { sqlitePath: 'sluice.db', masterKey: MASTER_KEY } }, { ...options, resolvePath: (b, p) => `${b}|${p}` });
    assert.equal(custom.policy.sqlitePath, '/srv/sluice|sluice.db');
  });

  it('accepts a master key without a SQLite path', () => {
    assert.deepEqual(validateConfig({ policy: { masterKey: MASTER_KEY } }, options).policy, { masterKey: MASTER_KEY, cacheTtlSeconds: 30 });
  });

  it('names buckets as account/name in path-mapped mode', () => {
    const config = validateConfig(
      {
        server: { addressing: 'path-mapped' },
        connections: { m: { type: 'memory' } },
        buckets: { 'acme-climate': { connection: 'm', account: 'acme', name: 'climate' } },
        accounts: { research: { grants: [{ bucket: 'acme/climate', actions: ['read'] }, { bucket: '*', actions: ['read'] }] } },
      },
      options,
    );
    assert.deepEqual(config.accounts[0]!.grants.map((g) => g.bucket), ['acme/climate', '*']);
  });
});

describe('validateConfig accounts, access keys and policy: field problems', () => {
  it('checks statements in grants and ceilings', () => {
    const lines = linesOf({
      ...base,
      accounts: {
        research: {
          grants: [
            { bucket: 'climate', actions: [] },
            { bucket: 'climate', actions: ['read', 'delete'] },
            { bucket: 'climate', actions: ['read'], prefixes: ['', '/data', 'ok'] },
            { bucket: '', actions: ['read'] },
            { bucket: 'climate', action: ['read'] },
            'climate',
          ],
        },
      },
      accessKeys: { [KEY_ID]: { secret: SECRET, account: 'research', ceiling: [{ buckets: '*', actions: ['read'] }] } },
    });
    assert.deepEqual(lines, [
      'accounts.research.grants[0].actions: list at least one action: read, write',
      'accounts.research.grants[1].actions[1]: must be one of "read", "write"',
      'accounts.research.grants[2].prefixes[0]: must not be empty (leave out prefixes to cover the whole bucket)',
      'accounts.research.grants[2].prefixes[1]: must be relative to the bucket: remove the leading "/"',
      'accounts.research.grants[3].bucket: bucket must not be empty',
      'accounts.research.grants[4].actions: required',
      'accounts.research.grants[4].action: unknown field (did you mean "actions"?)',
      'accounts.research.grants[5]: expected a mapping, got a string',
      `accessKeys.${KEY_ID}.ceiling[0].bucket: required`,
      `accessKeys.${KEY_ID}.ceiling[0].buckets: unknown field (did you mean "bucket"?)`,
    ]);
  });

  it('checks access key fields', () => {
    const lines = linesOf({
      ...base,
      accounts: { research: {} },
      accessKeys: {
        SLAKAAAAAAAAAAAAAAAA: { secret: 'short', account: 'research', label: 7, expires: '2027-06-30T12:00:00', disabled: 'no' },
        SLAKBBBBBBBBBBBBBBBB: { account: '', expiry: '2027-01-01' },
        SLAKCCCCCCCCCCCCCCCC: { secret: SECRET, account: 'research', expires: '2027-02-30' },
        SLAKDDDDDDDDDDDDDDDD: null,
      },
    });
    assert.deepEqual(lines, [
      'accessKeys.SLAKAAAAAAAAAAAAAAAA.secret: must be at least 16 characters',
      'accessKeys.SLAKAAAAAAAAAAAAAAAA.label: expected a string, got a number',
      'accessKeys.SLAKAAAAAAAAAAAAAAAA.expires: must be a date such as 2027-06-30 or a date-time with a time zone such as 2027-06-30T12:00:00Z',
      'accessKeys.SLAKAAAAAAAAAAAAAAAA.disabled: expected true or false, got a string',
      'accessKeys.SLAKBBBBBBBBBBBBBBBB.secret: required',
      'accessKeys.SLAKBBBBBBBBBBBBBBBB.account: account must not be empty',
      'accessKeys.SLAKBBBBBBBBBBBBBBBB.expiry: unknown field (did you mean "expires"?)',
      'accessKeys.SLAKCCCCCCCCCCCCCCCC.expires: is not a calendar date',
      'accessKeys.SLAKDDDDDDDDDDDDDDDD: expected a mapping, got null',
    ]);
  });

  it('checks policy fields', () => {
    assert.deepEqual(linesOf({ policy: { sqlitePath: '', masterKey: 'too-short', cacheTtlSeconds: 61, ttl: 5 } }), [
      'policy.sqlitePath: sqlitePath must not be empty',
      'policy.masterKey: must be 32 random bytes written as base64 (e.g. the output of `openssl rand -base64 32`)',
      'policy.cacheTtlSeconds: must be at most 60',
      'policy.ttl: unknown field',
    ]);
    assert.deepEqual(linesOf({ policy: { cacheTtlSeconds: -1 } }), ['policy.cacheTtlSeconds: must be at least 0']);
    assert.deepEqual(linesOf({ policy: { cacheTtlSeconds: 1.5 } }), ['policy.cacheTtlSeconds: expected a whole number, got a fractional number']);
    assert.deepEqual(linesOf({ policy: { cacheTtl: 5 } }), ['policy.cacheTtl: unknown field (did you mean "cacheTtlSeconds"?)']);
    assert.deepEqual(linesOf({ polcy: {} }), ['polcy: unknown field (did you mean "policy"?)']);
  });

  it('expects mappings for the sections and their entries', () => {
    assert.deepEqual(linesOf({ accounts: ['research'], accessKeys: 'none', policy: [] }), [
      'accounts: expected a mapping, got a list',
      'accessKeys: expected a mapping, got a string',
      'policy: expected a mapping, got a list',
    ]);
    assert.deepEqual(linesOf({ accounts: { research: { grants: { bucket: '*' } } } }), [
      'accounts.research.grants: expected a list, got a mapping',
    ]);
  });
});

describe('validateConfig accounts, access keys and policy: cross-field checks', () => {
  it('checks account names and access key ids', () => {
    const lines = linesOf({
      accounts: { Research_Group: {}, open: {} },
      accessKeys: { 'slak-lower': { secret: SECRET, account: 'Research_Group' }, SHORT: { secret: SECRET, account: 'Research_Group' } },
    });
    assert.deepEqual(lines, [
      'accounts.Research_Group: account name may contain only lowercase letters, digits, dots and hyphens',
      'accessKeys.slak-lower: access key ids must be 16 to 128 characters of A-Z and 0-9',
      'accessKeys.SHORT: access key ids must be 16 to 128 characters of A-Z and 0-9',
    ]);
  });

  it("requires a key's account to be configured, listing the defined ones", () => {
    assert.deepEqual(
      linesOf({ accounts: { research: {}, visitors: {} }, accessKeys: { [KEY_ID]: { secret: SECRET, account: 'reserch' } } }),
      [`accessKeys.${KEY_ID}.account: no such account (defined: research, visitors)`],
    );
    assert.deepEqual(linesOf({ accessKeys: { [KEY_ID]: { secret: SECRET, account: 'research' } } }), [
      `accessKeys.${KEY_ID}.account: no such account (no accounts are defined)`,
    ]);
  });

  it('requires grant and ceiling buckets to be "*" or configured buckets', () => {
    const lines = linesOf({
      ...base,
      accounts: { research: { grants: [{ bucket: 'climate', actions: ['read'] }, { bucket: 'weather', actions: ['read'] }] } },
      accessKeys: { [KEY_ID]: { secret: SECRET, account: 'research', ceiling: [{ bucket: 'acme/climate', actions: ['read'] }] } },
    });
    assert.deepEqual(lines, [
      'accounts.research.grants[1].bucket: no such bucket (defined: climate, models)',
      `accessKeys.${KEY_ID}.ceiling[0].bucket: no such bucket (defined: climate, models)`,
    ]);
    assert.deepEqual(linesOf({ accounts: { research: { grants: [{ bucket: 'climate', actions: ['read'] }] } } }), [
      'accounts.research.grants[0].bucket: no such bucket (no buckets are defined)',
    ]);
  });

  it('in path-mapped mode requires account/name references', () => {
    const lines = linesOf({
      server: { addressing: 'path-mapped' },
      connections: { m: { type: 'memory' } },
      buckets: { climate: { connection: 'm', account: 'acme' } },
      accounts: {
        research: {
          grants: [
            { bucket: 'climate', actions: ['read'] },
            { bucket: 'globex/climate', actions: ['read'] },
            { bucket: 'acme/climate', actions: ['read'] },
          ],
        },
      },
    });
    assert.deepEqual(lines, [
      'accounts.research.grants[0].bucket: in path-mapped mode, name the bucket as "account/name", or write "*" for every bucket',
      'accounts.research.grants[1].bucket: no such bucket (defined: acme/climate)',
    ]);
  });

  it('with a SQLite store, lets keys and grants refer to accounts and buckets defined there', () => {
    const config = validateConfig(
      {
        accounts: { research: { grants: [{ bucket: 'managed-bucket', actions: ['read'] }] } },
        accessKeys: { [KEY_ID]: { secret: SECRET, account: 'created-later', ceiling: [{ bucket: 'other-bucket', actions: ['read'] }] } },
        policy: { sqlitePath: 'sluice.db', masterKey: MASTER_KEY },
      },
      options,
    );
    assert.equal(config.accessKeys[0]!.account, 'created-later');
    assert.equal(config.accounts[0]!.grants[0]!.bucket, 'managed-bucket');
  });

  it('with a SQLite store, still checks that bucket references are well formed', () => {
    const policy = { sqlitePath: 'sluice.db', masterKey: MASTER_KEY };
    assert.deepEqual(
      linesOf({
        accounts: { research: { grants: [{ bucket: 'acme/climate', actions: ['read'] }, { bucket: 'Climate', actions: ['read'] }] } },
        policy,
      }),
      [
        'accounts.research.grants[0].bucket: must be a bucket name, or "*" for every bucket ("account/name" is for path-mapped addressing)',
        'accounts.research.grants[1].bucket: bucket name may contain only lowercase letters, digits, dots and hyphens',
      ],
    );
    assert.deepEqual(
      linesOf({
        server: { addressing: 'path-mapped' },
        accounts: {
          research: {
            grants: [
              { bucket: 'climate', actions: ['read'] },
              { bucket: 'a/b/c', actions: ['read'] },
              { bucket: 'ACME/climate', actions: ['read'] },
              { bucket: 'acme/x', actions: ['read'] },
              { bucket: 'acme/climate', actions: ['read'] },
            ],
          },
        },
        policy,
      }),
      [
        'accounts.research.grants[0].bucket: must be "account/name", or "*" for every bucket, in path-mapped mode',
        'accounts.research.grants[1].bucket: must be "account/name", or "*" for every bucket, in path-mapped mode',
        'accounts.research.grants[2].bucket: account name may contain only lowercase letters, digits, dots and hyphens',
        'accounts.research.grants[3].bucket: bucket name must be 3 to 63 characters long',
      ],
    );
  });

  it('requires a master key with a SQLite path', () => {
    assert.deepEqual(linesOf({ policy: { sqlitePath: 'sluice.db' } }), [
      'policy.masterKey: required when policy.sqlitePath is set (it encrypts the stored secrets)',
    ]);
  });
});

describe('validateConfig accounts, access keys and policy: secrets', () => {
  it('takes key secrets and the master key from the environment', () => {
    const config = validateConfig(
      {
        accounts: { research: {} },
        accessKeys: { [KEY_ID]: { secret: '${env:RESEARCH_KEY_SECRET}', account: 'research' } },
        policy: { sqlitePath: 'sluice.db', masterKey: '${env:SLUICE_MASTER_KEY}' },
      },
      { ...options, env: { RESEARCH_KEY_SECRET: SECRET, SLUICE_MASTER_KEY: MASTER_KEY } },
    );
    assert.equal(config.accessKeys[0]!.secretAccessKey, SECRET);
    assert.equal(config.policy.masterKey, MASTER_KEY);
  });

  it('reports unset variables once, without asking for the master key again', () => {
    assert.deepEqual(
      linesOf({
        accounts: { research: {} },
        accessKeys: { [KEY_ID]: { secret: '${env:RESEARCH_KEY_SECRET}', account: 'research' } },
        policy: { sqlitePath: 'sluice.db', masterKey: '${env:SLUICE_MASTER_KEY}' },
      }),
      [
        `accessKeys.${KEY_ID}.secret: environment variable RESEARCH_KEY_SECRET is not set`,
        'policy.masterKey: environment variable SLUICE_MASTER_KEY is not set',
      ],
    );
  });

  it('never repeats a secret from the environment in a problem message', () => {
    const secret = 'sh0rt/Secret+';
    const problems = problemsOf(
      {
        accounts: { research: { grants: [{ bucket: '${env:SECRET}', actions: ['${env:SECRET}'], prefixes: ['/${env:SECRET}'] }] } },
        accessKeys: {
          [KEY_ID]: { secret: '${env:SECRET}', account: '${env:SECRET}', expires: '${env:SECRET}', ceiling: [{ bucket: '${env:SECRET}', actions: ['read'] }] },
        },
        policy: { sqlitePath: 'sluice.db', masterKey: '${env:SECRET}' },
      },
      { env: { SECRET: secret } },
    );
    // Bucket (form), action, prefix, secret, expires, ceiling bucket (form), master key.
    assert.equal(problems.length, 7);
    for (const problem of problems) assert.equal(problem.message.includes(secret), false, `${problem.path}: ${problem.message}`);
  });
});

describe('validateConfig accounts, access keys and policy: ordering', () => {
  it('reports the new sections after buckets, in section order, with every problem at once', () => {
    const lines = linesOf({
      policy: { sqlitePath: 'x.db' },
      accessKeys: { [KEY_ID]: { secret: 'short', account: 'research' } },
      accounts: { research: { grants: [{ bucket: 'No', actions: ['read'] }] } },
      buckets: { climate: { connection: 'missing' } },
      connections: { remote: { type: 's3', endpoint: 'nope', region: 'us-west-2', bucket: 'landsat-pds' } },
    });
    assert.deepEqual(lines, [
      'connections.remote.endpoint: must be an http or https URL such as https://s3.us-west-2.amazonaws.com',
      'buckets.climate.connection: no such connection (defined: remote)',
      'accounts.research.grants[0].bucket: bucket name must be 3 to 63 characters long',
      `accessKeys.${KEY_ID}.secret: must be at least 16 characters`,
      'policy.masterKey: required when policy.sqlitePath is set (it encrypts the stored secrets)',
    ]);
  });
});
