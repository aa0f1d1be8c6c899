import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AccountIdentityProvider } from '../oidc/account-providers.ts';
import { type IdentityProvider, identityProviderSchema } from '../oidc/provider-config.ts';
import { builtInProvider } from './built-in-provider.ts';
import { AccountProviderDirectory, scopeProviders } from './provider-scope.ts';
import { validateRole } from './role.ts';

const github = identityProviderSchema.parse({ id: 'github', issuer: 'https://token.actions.githubusercontent.com', audiences: ['sluice'], claims: 'github-actions' });
const shared: IdentityProvider[] = [github, builtInProvider('https://sluice.example')];
const registered = (account: string, id: string, issuer: string): AccountIdentityProvider =>
  ({ account, id, issuer, audiences: ['sluice'], claims: 'generic', local: false, createdAt: new Date(0) });

const ids = (providers: readonly IdentityProvider[]) => providers.map((p) => p.id);

describe('scopeProviders: what an account sees', () => {
  const rows: { name: string; account: string; registered: AccountIdentityProvider[]; sees: string[]; excluded: string[] }[] = [
    { name: 'no registered providers: the shared ones', account: 'a', registered: [], sees: ['github', 'sluice'], excluded: [] },
    { name: 'its own provider is added', account: 'a', registered: [registered('a', 'gitlab', 'https://gitlab.a.example')], sees: ['github', 'sluice', 'gitlab'], excluded: [] },
    { name: 'another account\'s provider is invisible', account: 'b', registered: [registered('a', 'gitlab', 'https://gitlab.a.example')], sees: ['github', 'sluice'], excluded: [] },
    { name: 'an id taken by a platform provider later: both left out (ambiguous)', account: 'a', registered: [registered('a', 'github', 'https://git.a.example')], sees: ['sluice'], excluded: ['github'] },
    { name: 'a platform provider\'s issuer: the registered one is left out', account: 'a', registered: [registered('a', 'gha', github.issuer)], sees: ['github', 'sluice'], excluded: ['gha'] },
    { name: 'Sluice\'s own issuer: left out', account: 'a', registered: [registered('a', 'mine', 'https://sluice.example')], sees: ['github', 'sluice'], excluded: ['mine'] },
    { name: 'the reserved id: left out', account: 'a', registered: [registered('a', 'sluice', 'https://x.example')], sees: ['github', 'sluice'], excluded: ['sluice'] },
    {
      name: 'two of its own with one issuer: the first wins',
      account: 'a',
      registered: [registered('a', 'one', 'https://x.example'), registered('a', 'two', 'https://x.example')],
      sees: ['github', 'sluice', 'one'],
      excluded: ['two'],
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const scope = scopeProviders(row.account, shared, row.registered);
      assert.deepEqual(ids(scope.providers), row.sees);
      assert.deepEqual(scope.excluded.map((e) => e.id), row.excluded);
    });
  }
});

describe('role validation within an account\'s view', () => {
  const providers = [registered('a', 'campus', 'https://idp.campus.example')];
  const role = (account: string) => ({
    account,
    name: 'ci',
    bindings: [{ provider: 'campus', audience: 'sluice', claims: [{ claim: 'sub', operator: 'equals', value: 'x' }] }],
    permissions: [{ actions: ['read'], resources: ['*'] }],
  });

  test('account A\'s role may bind to A\'s provider', () => {
    const result = validateRole(role('a'), { providers: scopeProviders('a', shared, providers).providers, addressing: 'path' });
    assert.ok(result.ok);
  });

  test('account B\'s role naming A\'s provider is rejected', () => {
    const result = validateRole(role('b'), { providers: scopeProviders('b', shared, providers).providers, addressing: 'path' });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.map((p) => p.path), ['bindings.0.provider']);
  });
});

test('the directory caches an account\'s view for the TTL, drops it on invalidate, and logs left-out providers', async () => {
  const rows = [registered('a', 'campus', 'https://idp.campus.example'), registered('a', 'github', 'https://other.example')];
  let reads = 0;
  let now = 0;
  const logs: Record<string, unknown>[] = [];
  const directory = new AccountProviderDirectory({
    shared,
    store: { async listIdentityProviders(filter) { reads++; return rows.filter((r) => r.account === filter?.account); } },
    ttlMs: 1000,
    now: () => now,
    log: { write: (e) => void logs.push(e) },
  });
  assert.deepEqual(ids(await directory.forAccount('a')), ['sluice', 'campus']);
  assert.deepEqual(ids(await directory.forAccount('b')), ['github', 'sluice']);
  await directory.forAccount('a');
  assert.equal(reads, 2);
  assert.deepEqual(logs.map((e) => [e.account, e.idp]), [['a', 'github']]);
  rows.shift();
  assert.deepEqual(ids(await directory.forAccount('a')), ['sluice', 'campus'], 'cached until the TTL');
  directory.invalidate('a');
  assert.deepEqual(ids(await directory.forAccount('a')), ['sluice']);
  now += 1001;
  await directory.forAccount('b');
  assert.equal(reads, 4);
});
