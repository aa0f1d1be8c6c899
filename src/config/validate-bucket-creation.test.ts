/**
 * `accounts.<name>.createBuckets`: its shape, its prefix template, and what
 * it needs elsewhere in the document, every problem reported at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandBucketPrefix, bucketPrefixTemplateProblem } from './bucket-prefix-template.ts';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

const MASTER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(42)));
const base = {
  connections: { data: { type: 'fs', root: '/srv/data' }, frozen: { type: 'fs', root: '/srv/frozen', readOnly: true } },
  policy: { sqlitePath: 'policy.db', masterKey: MASTER_KEY },
};

describe('createBuckets', () => {
  it('defaults the prefix template to "{bucket}/" and keeps a given one', () => {
    const config = validateConfig({
      ...base,
      accounts: { alice: { createBuckets: { connection: 'data' } }, bob: { createBuckets: { connection: 'data', prefix: 'tenants/{account}/{bucket}' } }, carol: {} },
    }, options);
    assert.deepEqual(config.accounts.map((a) => [a.name, a.createBuckets]), [
      ['alice', { connection: 'data', prefix: '{bucket}/' }],
      ['bob', { connection: 'data', prefix: 'tenants/{account}/{bucket}' }],
      ['carol', undefined],
    ]);
  });

  it('reports every problem: unknown or read-only connection, bad templates, unknown fields, no SQLite store, path-mapped addressing', () => {
    const lines = linesOf({
      server: { addressing: 'path-mapped' },
      connections: base.connections,
      accounts: {
        a1: { createBuckets: { connection: 'nowhere' } },
        a2: { createBuckets: { connection: 'frozen', prefix: 'shared/' } },
        a3: { createBuckets: { connection: 'data', prefix: '{account}-{bucket}/' } },
        a4: { createBuckets: { connection: 'data', prefix: '{bucket}/{user}/' } },
        a5: { createBuckets: { connection: 'data', prefix: '/abs/{bucket}/' } },
        a6: { createBuckets: { connection: 'data', public: true } },
      },
    });
    const expect = (path: string, fragment: string) =>
      assert.ok(lines.some((l) => l.startsWith(`${path}: `) && l.includes(fragment)), `${path} ~ ${fragment}\n${lines.join('\n')}`);
    expect('accounts.a1.createBuckets.connection', 'no such connection (defined: data, frozen)');
    expect('accounts.a2.createBuckets.connection', 'readOnly');
    expect('accounts.a2.createBuckets.prefix', 'must contain {bucket}');
    expect('accounts.a3.createBuckets.prefix', 'whole path segments');
    expect('accounts.a4.createBuckets.prefix', 'the only placeholders are {account} and {bucket}');
    expect('accounts.a5.createBuckets.prefix', 'leading "/"');
    expect('accounts.a6.createBuckets.public', 'unknown field');
    expect('accounts.a1.createBuckets', 'policy.sqlitePath or policy.postgresUrl');
    expect('accounts.a1.createBuckets', 'path-mapped');
  });

  it('a PostgreSQL policy store holds created buckets as well as SQLite', () => {
    const config = validateConfig({
      connections: base.connections,
      policy: { postgresUrl: 'postgres://localhost/sluice', masterKey: MASTER_KEY },
      accounts: { alice: { createBuckets: { connection: 'data' } } },
    }, options);
    assert.deepEqual(config.accounts[0]?.createBuckets, { connection: 'data', prefix: '{bucket}/' });
  });
});

describe('prefix templates', () => {
  it('expand to a normalized prefix with the account and bucket as whole segments', () => {
    assert.equal(expandBucketPrefix('{bucket}/', 'alice', 'photos'), 'photos/');
    assert.equal(expandBucketPrefix('{bucket}', 'alice', 'photos'), 'photos/');
    assert.equal(expandBucketPrefix('tenants/{account}/{bucket}/', 'alice', 'photos'), 'tenants/alice/photos/');
  });

  it('need {bucket} exactly once, and nothing but whole-segment placeholders', () => {
    assert.equal(bucketPrefixTemplateProblem('{bucket}/'), undefined);
    assert.equal(bucketPrefixTemplateProblem('x/{account}/{bucket}'), undefined);
    assert.match(bucketPrefixTemplateProblem('shared/')!, /must contain \{bucket\}/);
    assert.match(bucketPrefixTemplateProblem('{bucket}/{bucket}/')!, /once/);
    assert.match(bucketPrefixTemplateProblem('b-{bucket}/')!, /whole path segments/);
    assert.match(bucketPrefixTemplateProblem('{bucket}/../x')!, /"\." or "\.\."/);
    assert.match(bucketPrefixTemplateProblem('{bucket}//x')!, /empty path segments/);
  });
});
