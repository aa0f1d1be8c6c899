/**
 * Role ceilings as written, and their conversion to permission statements.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResource, toPermissionStatements } from './resources.ts';

const parsed: [name: string, resource: string, expected: ReturnType<typeof parseResource> | 'problem'][] = [
  ['every bucket', '*', { kind: 'any' }],
  ['a whole bucket', 'acme::bucket/site', { kind: 'bucket', account: 'acme', bucket: 'site', prefix: '' }],
  ['a whole bucket with /*', 'acme::bucket/site/*', { kind: 'bucket', account: 'acme', bucket: 'site', prefix: '' }],
  ['a whole bucket with /', 'acme::bucket/site/', { kind: 'bucket', account: 'acme', bucket: 'site', prefix: '' }],
  ['a prefix', 'acme::bucket/site/data', { kind: 'bucket', account: 'acme', bucket: 'site', prefix: 'data' }],
  ['a prefix with /*', 'acme::bucket/site/data/2024/*', { kind: 'bucket', account: 'acme', bucket: 'site', prefix: 'data/2024' }],
  ['a string-prefix star is refused', 'acme::bucket/site/data*', 'problem'],
  ['a star in the middle is refused', 'acme::bucket/site/*/x', 'problem'],
  ['an invalid bucket name', 'acme::bucket/Site', 'problem'],
  ['an empty path segment', 'acme::bucket/site/a//b', 'problem'],
  ['an S3 ARN is not our form', 'arn:aws:s3:::site/*', 'problem'],
  ['no account', '::bucket/site', 'problem'],
];

for (const [name, resource, expected] of parsed) {
  test(`parseResource: ${name}`, () => {
    const result = parseResource(resource);
    if (expected === 'problem') assert.ok('problem' in result, JSON.stringify(result));
    else assert.deepEqual(result, expected);
  });
}

test('statements become one permission statement per resource, with grant-style bucket names', () => {
  const statements = [
    { actions: ['read', 'write', 'read'] as const, resources: ['acme::bucket/site/data/*', 'acme::bucket/logs'] },
    { actions: ['read'] as const, resources: ['*'] },
  ];
  assert.deepEqual(toPermissionStatements(statements, 'path'), [
    { bucket: 'site', actions: ['read', 'write'], prefixes: ['data'] },
    { bucket: 'logs', actions: ['read', 'write'] },
    { bucket: '*', actions: ['read'] },
  ]);
  assert.deepEqual(toPermissionStatements(statements, 'path-mapped')[0], { bucket: 'acme/site', actions: ['read', 'write'], prefixes: ['data'] });
});

test('an unvalidated resource is a programming error', () => {
  assert.throws(() => toPermissionStatements([{ actions: ['read'], resources: ['nope'] }], 'path'), TypeError);
});
