/**
 * The whole truth table of the access decision.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BucketConfig } from '../core/config.ts';
import type { Action, Identity, PermissionStatement } from '../core/identity.ts';
import { canSee, decide } from './decide.ts';
import type { Scope } from './statements.ts';
import { prefixCovers } from './statements.ts';

const bucket = (overrides: Partial<BucketConfig> = {}): BucketConfig => ({
  name: 'climate', connection: 'c', prefix: '', public: false, readOnly: false, account: 'owner-org', ...overrides,
});

const anonymous: Identity = { kind: 'anonymous' };
const member = (ceiling?: PermissionStatement[]): Identity => ({ kind: 'principal', account: 'research', accessKeyId: 'K', ceiling });
const owner: Identity = { kind: 'principal', account: 'owner-org', accessKeyId: 'O' };

const readAll: PermissionStatement = { bucket: 'climate', actions: ['read'] };
const writeData: PermissionStatement = { bucket: 'climate', actions: ['read', 'write'], prefixes: ['data'] };
const otherBucket: PermissionStatement = { bucket: 'weather', actions: ['read', 'write'] };
const anyBucketRead: PermissionStatement = { bucket: '*', actions: ['read'] };

type Row = [name: string, identity: Identity, b: BucketConfig, action: Action, path: string, scope: Scope, grants: PermissionStatement[], expected: boolean];

const rows: Row[] = [
  // Public buckets: anyone reads, nobody anonymous writes.
  ['anonymous reads public', anonymous, bucket({ public: true }), 'read', 'x', 'object', [], true],
  ['anonymous lists public', anonymous, bucket({ public: true }), 'read', '', 'list', [], true],
  ['anonymous writes public', anonymous, bucket({ public: true }), 'write', 'x', 'object', [], false],
  ['signed caller without grants reads public', member(), bucket({ public: true }), 'read', 'x', 'object', [], true],
  ['signed caller with narrow ceiling still reads public', member([writeData]), bucket({ public: true }), 'read', 'other', 'object', [], true],
  ['signed caller without write grant writes public', member(), bucket({ public: true }), 'write', 'x', 'object', [readAll], false],
  // Restricted buckets.
  ['anonymous reads restricted', anonymous, bucket(), 'read', 'x', 'object', [], false],
  ['no grant reads restricted', member(), bucket(), 'read', 'x', 'object', [], false],
  ['grant on another bucket', member(), bucket(), 'read', 'x', 'object', [otherBucket], false],
  ['read grant reads', member(), bucket(), 'read', 'x', 'object', [readAll], true],
  ['read grant lists', member(), bucket(), 'read', '', 'list', [readAll], true],
  ['read grant cannot write', member(), bucket(), 'write', 'x', 'object', [readAll], false],
  ['wildcard bucket read grant', member(), bucket(), 'read', 'x', 'object', [anyBucketRead], true],
  // Prefix-limited grants: `data` covers `data` and `data/…`, not `data-private/…`.
  ['prefix grant: the prefix key itself', member(), bucket(), 'read', 'data', 'object', [writeData], true],
  ['prefix grant: key under it', member(), bucket(), 'write', 'data/2024/x.nc', 'object', [writeData], true],
  ['prefix grant: sibling with same start', member(), bucket(), 'read', 'data-private/x', 'object', [writeData], false],
  ['prefix grant: key outside', member(), bucket(), 'read', 'other/x', 'object', [writeData], false],
  ['prefix grant: list inside', member(), bucket(), 'read', 'data/2024/', 'list', [writeData], true],
  ['prefix grant: list the folder', member(), bucket(), 'read', 'data/', 'list', [writeData], true],
  ['prefix grant: list the bare prefix (would show data-private)', member(), bucket(), 'read', 'data', 'list', [writeData], false],
  ['prefix grant: list the bucket root', member(), bucket(), 'read', '', 'list', [writeData], false],
  // Ceilings intersect with grants.
  ['ceiling read-only blocks granted write', member([readAll]), bucket(), 'write', 'data/x', 'object', [writeData], false],
  ['ceiling prefix blocks granted read outside it', member([{ bucket: '*', actions: ['read'], prefixes: ['data/2024'] }]), bucket(), 'read', 'data/2023/x', 'object', [writeData], false],
  ['ceiling prefix allows granted read inside it', member([{ bucket: '*', actions: ['read'], prefixes: ['data/2024'] }]), bucket(), 'read', 'data/2024/x', 'object', [writeData], true],
  ['ceiling alone grants nothing', member([readAll]), bucket(), 'read', 'x', 'object', [], false],
  // Owners.
  ['owner reads own bucket', owner, bucket(), 'read', 'x', 'object', [], true],
  ['owner writes own bucket', owner, bucket(), 'write', 'x', 'object', [], true],
  ['owner with read-only ceiling cannot write', { ...owner, ceiling: [anyBucketRead] }, bucket(), 'write', 'x', 'object', [], false],
  // Read-only buckets refuse every write.
  ['owner writes read-only bucket', owner, bucket({ readOnly: true }), 'write', 'x', 'object', [], false],
  ['grantee writes read-only bucket', member(), bucket({ readOnly: true }), 'write', 'data/x', 'object', [writeData], false],
  ['grantee reads read-only bucket', member(), bucket({ readOnly: true }), 'read', 'data/x', 'object', [writeData], true],
];

for (const [name, identity, b, action, path, scope, grants, expected] of rows) {
  test(`decide: ${name} → ${expected ? 'allow' : 'deny'}`, () => {
    assert.equal(decide({ identity, action, bucket: b, bucketRef: b.name, path, scope, grants }), expected);
  });
}

test('canSee: public to all; restricted to owners and grantees (within their ceiling) only', () => {
  assert.equal(canSee(anonymous, bucket({ public: true }), 'climate', []), true);
  assert.equal(canSee(anonymous, bucket(), 'climate', []), false);
  assert.equal(canSee(member(), bucket(), 'climate', []), false);
  assert.equal(canSee(member(), bucket(), 'climate', [writeData]), true);
  assert.equal(canSee(member(), bucket(), 'climate', [otherBucket]), false);
  assert.equal(canSee(owner, bucket(), 'climate', []), true);
  assert.equal(canSee(member([otherBucket]), bucket(), 'climate', [readAll]), false);
});

test('prefixCovers treats a trailing slash in the grant as the same prefix', () => {
  assert.equal(prefixCovers('data/', 'data/x', 'object'), true);
  assert.equal(prefixCovers('data/', 'data', 'object'), true);
  assert.equal(prefixCovers('data/', 'datax', 'object'), false);
  assert.equal(prefixCovers('', 'anything', 'list'), true);
});
