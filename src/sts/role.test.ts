/**
 * Role validation (every problem at once) and the static role source with
 * its built-in `_default` roles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityProviderSchema } from '../oidc/provider-config.ts';
import { constraintHolds, matchBindings } from './claim-match.ts';
import { validateRole } from './role.ts';
import { StaticRoleSource, defaultRole } from './role-source.ts';

const github = identityProviderSchema.parse({ id: 'github', issuer: 'https://token.actions.githubusercontent.com', audiences: ['sluice'], claims: 'github-actions' });
const primary = identityProviderSchema.parse({ id: 'login', issuer: 'https://login.example', audiences: ['sluice-web', 'sluice-cli'] });
const context = { providers: [github, primary], addressing: 'path' as const };

const deploy = {
  account: 'acme',
  name: 'deploy',
  bindings: [{ provider: 'github', audience: 'sluice', claims: [{ claim: 'repository', operator: 'equals', value: 'acme/site' }] }],
  permissions: [{ actions: ['read', 'write'], resources: ['acme::bucket/site/*'] }],
};

test('a valid role: defaults applied, bindings and ceiling converted', () => {
  const result = validateRole(deploy, context);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.equal(result.role.maxSessionDurationSeconds, 3600);
  assert.deepEqual(result.role.bindings, [{ provider: 'github', audience: 'sluice', constraints: [{ claim: 'repository', operator: 'equals', value: 'acme/site' }] }]);
  assert.deepEqual(result.role.ceiling, [{ bucket: 'site', actions: ['read', 'write'] }]);
});

test('every problem of a role is reported at once, with its path', () => {
  const result = validateRole({
    account: 'acme',
    name: 'Deploy!',
    maxSessionDuration: 60,
    bindings: [
      { provider: 'unknown', audience: 'sluice' },
      { provider: 'github', audience: 'not-configured' },
      { provider: 'github', audience: 'sluice', claims: [{ claim: 'sub', operator: 'regex', value: '.*' }] },
    ],
    permissions: [{ actions: ['delete'], resources: ['acme::bucket/site/data*'] }],
    extra: true,
  }, context);
  assert.equal(result.ok, false);
  const paths = (!result.ok ? result.problems : []).map((p) => p.path).sort();
  assert.deepEqual(paths, [
    '',
    'bindings.0.provider',
    'bindings.1.audience',
    'bindings.2.claims.0.operator',
    'maxSessionDuration',
    'name',
    'permissions.0.actions.0',
    'permissions.0.resources.0',
  ]);
});

test('limits: 1–10 bindings, ≤ 20 constraints each, 1–50 statements, 900–43200 s', () => {
  const constraint = { claim: 'sub', operator: 'equals', value: 'x' };
  const binding = { provider: 'github', audience: 'sluice' };
  const statement = { actions: ['read'], resources: ['*'] };
  const problemsOf = (overrides: object) => {
    const result = validateRole({ ...deploy, ...overrides }, context);
    return result.ok ? [] : result.problems.map((p) => p.path);
  };
  assert.deepEqual(problemsOf({ bindings: [] }), ['bindings']);
  assert.deepEqual(problemsOf({ bindings: Array(11).fill(binding) }), ['bindings']);
  assert.deepEqual(problemsOf({ bindings: Array(10).fill(binding) }), []);
  assert.deepEqual(problemsOf({ bindings: [{ ...binding, claims: Array(21).fill(constraint) }] }), ['bindings.0.claims']);
  assert.deepEqual(problemsOf({ bindings: [{ ...binding, claims: Array(20).fill(constraint) }] }), []);
  assert.deepEqual(problemsOf({ permissions: [] }), ['permissions']);
  assert.deepEqual(problemsOf({ permissions: Array(51).fill(statement) }), ['permissions']);
  assert.deepEqual(problemsOf({ permissions: Array(50).fill(statement) }), []);
  assert.deepEqual(problemsOf({ maxSessionDuration: 899 }), ['maxSessionDuration']);
  assert.deepEqual(problemsOf({ maxSessionDuration: 43_201 }), ['maxSessionDuration']);
  assert.deepEqual(problemsOf({ maxSessionDuration: 43_200 }), []);
});

test('the built-in _default role cannot be defined by hand', () => {
  const result = validateRole({ ...deploy, name: '_default' }, context);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.problems[0]!.message : '', /built in/);
});

test('problem messages never repeat a constraint value or resource', () => {
  const result = validateRole({ ...deploy, permissions: [{ actions: ['read'], resources: ['s3cr3t::bucket/BAD'] }] }, context);
  assert.equal(result.ok, false);
  assert.ok(!JSON.stringify(!result.ok && result.problems).includes('s3cr3t'));
});

test('_default: bound to the primary provider, assumable only by the account named in sub', () => {
  const role = defaultRole('acme', primary);
  assert.deepEqual(role.ceiling, [{ bucket: '*', actions: ['read', 'write'] }]);
  assert.deepEqual(role.bindings.map((b) => b.audience), ['sluice-web', 'sluice-cli']);
  assert.equal(matchBindings(role.bindings, { provider: 'login', audiences: ['sluice-cli'], claims: { sub: 'acme' } }).allowed, true);
  assert.equal(matchBindings(role.bindings, { provider: 'login', audiences: ['sluice-cli'], claims: { sub: 'other' } }).allowed, false);
  assert.equal(matchBindings(role.bindings, { provider: 'github', audiences: ['sluice'], claims: { sub: 'acme' } }).allowed, false);
  assert.equal(constraintHolds(role.bindings[0]!.constraints[0]!, { sub: ['acme'] }), false);
});

test('StaticRoleSource: configured roles, _default for existing accounts only, null otherwise', async () => {
  const result = validateRole(deploy, context);
  assert.ok(result.ok);
  const source = new StaticRoleSource({ roles: [result.role], primaryProvider: primary, accountExists: (a) => a === 'acme' });
  assert.equal((await source.getRole('acme', 'deploy'))?.name, 'deploy');
  assert.equal(await source.getRole('acme', 'other'), null);
  assert.equal(await source.getRole('other', 'deploy'), null);
  assert.equal((await source.getRole('acme', '_default'))?.name, '_default');
  assert.equal(await source.getRole('ghost', '_default'), null);
  const withoutPrimary = new StaticRoleSource({ roles: [], accountExists: () => true });
  assert.equal(await withoutPrimary.getRole('acme', '_default'), null);
  assert.throws(() => new StaticRoleSource({ roles: [result.role, result.role], accountExists: () => true }), /duplicate role/);
});

test('a constraint on a claim the provider\'s profile never issues is a problem; generic providers accept any claim', () => {
  const typo = { ...deploy, bindings: [{ provider: 'github', audience: 'sluice', claims: [{ claim: 'repo', operator: 'equals', value: 'acme/site' }] }] };
  const result = validateRole(typo, context);
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.problems.map((p) => p.path), ['bindings.0.claims.0.claim']);
  const generic = { ...context, providers: [{ ...github, claims: 'generic' as const }] };
  assert.equal(validateRole(typo, generic).ok, true);
});
