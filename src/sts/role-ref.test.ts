/**
 * Role names in both accepted forms, and the identifiers STS reports for them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assumedRoleArn, parseRoleRef, roleId, roleUrn } from './role-ref.ts';

const rows: [name: string, text: string, expected: { account: string; name: string } | undefined][] = [
  ['Sluice form', 'acme::role/deploy', { account: 'acme', name: 'deploy' }],
  ['AWS ARN form', 'arn:aws:iam::acme:role/deploy', { account: 'acme', name: 'deploy' }],
  ['the built-in default role', 'acme::role/_default', { account: 'acme', name: '_default' }],
  ['numeric account, AWS style', 'arn:aws:iam::123456789012:role/ci-1', { account: '123456789012', name: 'ci-1' }],
  ['upper-case role name', 'acme::role/Deploy', undefined],
  ['role path (AWS allows, we do not)', 'arn:aws:iam::acme:role/team/deploy', undefined],
  ['name starting with a hyphen', 'acme::role/-x', undefined],
  ['name of 64 characters', `acme::role/${'a'.repeat(64)}`, undefined],
  ['name of 63 characters', `acme::role/${'a'.repeat(63)}`, { account: 'acme', name: 'a'.repeat(63) }],
  ['other underscore names', 'acme::role/_admin', undefined],
  ['missing account', '::role/deploy', undefined],
  ['user ARN', 'arn:aws:iam::acme:user/deploy', undefined],
  ['other partition', 'arn:aws-cn:iam::acme:role/deploy', undefined],
  ['empty', '', undefined],
];

for (const [name, text, expected] of rows) {
  test(`parseRoleRef: ${name}`, () => assert.deepEqual(parseRoleRef(text), expected));
}

test('the URN, assumed-role ARN and role id of a role', async () => {
  const ref = { account: 'acme', name: 'deploy' };
  assert.equal(roleUrn(ref), 'acme::role/deploy');
  assert.equal(assumedRoleArn(ref, 'run-7'), 'arn:aws:sts::acme:assumed-role/deploy/run-7');
  const id = await roleId(ref);
  assert.match(id, /^SLRO[A-Z2-7]{17}$/);
  assert.equal(await roleId(ref), id, 'stable');
  assert.notEqual(await roleId({ account: 'acme', name: 'other' }), id);
});
