import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityProviderSchema } from '../oidc/provider-config.ts';
import { sharedProviderDirectory } from './provider-scope.ts';
import { StaticRoleSource } from './role-source.ts';
import { validateRole } from './role.ts';
import { LayeredRoleSource, StoreRoleSource, type StoredRoleDefinition } from './store-role-source.ts';

const github = identityProviderSchema.parse({ id: 'github', issuer: 'https://token.actions.githubusercontent.com', audiences: ['sluice'], claims: 'github-actions' });
const definition = (name: string, provider = 'github') => ({
  account: 'acme',
  name,
  bindings: [{ provider, audience: 'sluice', claims: [{ claim: 'repository', operator: 'equals', value: 'acme/site' }] }],
  permissions: [{ actions: ['read'], resources: ['acme::bucket/data/*'] }],
});

function source(rows: Record<string, unknown>, logs: Record<string, unknown>[] = []) {
  let reads = 0;
  const store = {
    async getRoleDefinition(account: string, name: string): Promise<StoredRoleDefinition | null> {
      reads++;
      const d = rows[`${account}/${name}`];
      return d === undefined ? null : { account, name, definition: d, updatedAt: new Date(0) };
    },
  };
  let now = 0;
  const roles = new StoreRoleSource({ store, providers: sharedProviderDirectory([github]), addressing: 'path', ttlMs: 1000, now: () => now, log: { write: (e) => void logs.push(e) } });
  return { roles, reads: () => reads, advance: (ms: number) => (now += ms) };
}

test('a stored role is validated on read and cached for the TTL', async () => {
  const s = source({ 'acme/reader': definition('reader') });
  const role = await s.roles.getRole('acme', 'reader');
  assert.deepEqual(role?.ceiling, [{ bucket: 'data', actions: ['read'] }]);
  assert.equal(role?.name, 'reader');
  await s.roles.getRole('acme', 'reader');
  assert.equal(s.reads(), 1);
  s.advance(1001);
  await s.roles.getRole('acme', 'reader');
  assert.equal(s.reads(), 2);
});

test('fails closed: a stored role that no longer validates, or is filed under another name, cannot be assumed', async () => {
  const logs: Record<string, unknown>[] = [];
  const s = source({ 'acme/gone': definition('gone', 'removed-provider'), 'acme/alias': definition('other') }, logs);
  assert.equal(await s.roles.getRole('acme', 'gone'), null);
  assert.equal(await s.roles.getRole('acme', 'alias'), null);
  assert.deepEqual(logs.map((e) => e.role), ['acme::role/gone', 'acme::role/alias']);
});

test('layered: the file\'s role wins over a stored one of the same name', async () => {
  const fileRole = validateRole({ ...definition('reader'), description: 'from the file' }, { providers: [github], addressing: 'path' });
  assert.ok(fileRole.ok);
  const layered = new LayeredRoleSource([
    new StaticRoleSource({ roles: [fileRole.role], accountExists: () => true }),
    source({ 'acme/reader': definition('reader'), 'acme/writer': definition('writer') }).roles,
  ]);
  assert.equal((await layered.getRole('acme', 'reader'))?.description, 'from the file');
  assert.equal((await layered.getRole('acme', 'writer'))?.name, 'writer');
  assert.equal(await layered.getRole('acme', 'nobody'), null);
});

test('a role its store announces as changed is read again at once; the others stay cached', async () => {
  const rows: Record<string, unknown> = { 'acme/reader': definition('reader'), 'acme/writer': definition('writer') };
  const s = source(rows);
  await s.roles.getRole('acme', 'reader');
  await s.roles.getRole('acme', 'writer');
  delete rows['acme/reader'];
  assert.ok(await s.roles.getRole('acme', 'reader'), 'cached for the TTL without an announcement');
  s.roles.invalidate('acme', 'reader');
  assert.equal(await s.roles.getRole('acme', 'reader'), null);
  assert.equal(s.reads(), 3, 'the writer was not read again');
  s.roles.clear();
  await s.roles.getRole('acme', 'writer');
  assert.equal(s.reads(), 4);
});
