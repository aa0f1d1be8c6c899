/**
 * The contract of writable policy stores beyond lookups: roles managed at
 * run time, revoked sessions, session keys by version, API key records,
 * account-registered identity providers and outbound secrets (issuer keys
 * in a rotation, connections' keys). SQLite and PostgreSQL both run it, so a
 * database chosen for a fleet behaves as the single-file one does.
 *
 *   runWritablePolicyStoreContract('postgres', async ({ now, accountExists }) => ({ store, cleanup }));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuplicateIdentityProviderError, type AccountIdentityProvider } from '../../src/oidc/account-providers.ts';
import { generateIssuerKey } from '../../src/oidc/issuer/issuer-keys.ts';
import { generateStoredKey, rotateStoredKeys } from '../../src/oidc/issuer/key-rotation.ts';
import type { ApiKeyRecord } from '../../src/policy/api-key-store.ts';
import { DuplicateApiKeyError, UnknownAccountError } from '../../src/policy/sql/errors.ts';
import type { WritablePolicyStore } from '../../src/policy/store.ts';

export interface WritableStoreOptions {
  now: () => Date;
  /** Accounts defined outside the store (the configuration file). */
  accountExists?: (name: string) => boolean;
}

export type MakeWritableStore = (options: WritableStoreOptions) => Promise<{ store: WritablePolicyStore; cleanup(): Promise<void> }>;

const at = (iso: string) => new Date(iso);

const apiKey = (jti: string, account: string, over: Partial<ApiKeyRecord> = {}): Omit<ApiKeyRecord, 'revokedAt'> =>
  ({ jti, account, label: `key ${jti.slice(0, 4)}`, createdAt: at('2030-01-01T00:00:00.000Z'), ...over });

const provider = (account: string, id: string, issuer: string): AccountIdentityProvider =>
  ({ account, id, issuer, audiences: ['sluice', 'ci'], claims: 'gitlab-ci', local: false, createdAt: at('2030-01-01T00:00:00.000Z') });

export function runWritablePolicyStoreContract(name: string, make: MakeWritableStore): void {
  const test = (
    testName: string,
    body: (store: WritablePolicyStore, setNow: (iso: string) => void) => Promise<void>,
    options: Omit<WritableStoreOptions, 'now'> = {},
  ) =>
    it(testName, async (t) => {
      let now = at('2030-01-01T00:00:00.000Z');
      const { store, cleanup } = await make({ now: () => now, ...options });
      t.after(cleanup);
      await body(store, (iso) => (now = at(iso)));
    });

  describe(`${name} writable policy store contract`, () => {
    describe('roles', () => {
      test('stores definitions as written, replaces them by account and name, lists and deletes them', async (store, setNow) => {
        const definition = { account: 'acme', name: 'deploy', bindings: [], permissions: [{ bucket: 'b', actions: ['read'] }] };
        await store.putRoleDefinition('acme', 'deploy', definition);
        assert.deepEqual(await store.getRoleDefinition('acme', 'deploy'), { account: 'acme', name: 'deploy', definition, updatedAt: at('2030-01-01T00:00:00.000Z') });
        setNow('2030-01-02T00:00:00.000Z');
        await store.putRoleDefinition('acme', 'deploy', { ...definition, description: 'v2' });
        await store.putRoleDefinition('other', 'deploy', definition);
        await store.putRoleDefinition('acme', 'Build', definition);
        const replaced = await store.getRoleDefinition('acme', 'deploy');
        assert.equal((replaced?.definition as { description?: string }).description, 'v2');
        assert.equal(replaced?.updatedAt.toISOString(), '2030-01-02T00:00:00.000Z');
        assert.deepEqual((await store.listRoleDefinitions()).map((r) => `${r.account}/${r.name}`), ['acme/Build', 'acme/deploy', 'other/deploy'], 'byte order');
        assert.deepEqual((await store.listRoleDefinitions({ account: 'other' })).map((r) => r.account), ['other']);
        assert.deepEqual(await store.listRoleDefinitions({ account: 'nobody' }), []);
        assert.equal(await store.getRoleDefinition('acme', 'DEPLOY'), null, 'names are case-sensitive');
        assert.equal(await store.deleteRoleDefinition('acme', 'deploy'), true);
        assert.equal(await store.deleteRoleDefinition('acme', 'deploy'), false);
        assert.equal(await store.getRoleDefinition('acme', 'deploy'), null);
      });
    });

    describe('revoked sessions', () => {
      test('lists revocations until they expire, in the order written, with their times exact', async (store) => {
        await store.addSessionRevocation({ kind: 'role', value: 'acme::role/deploy', revokedAt: at('2030-01-01T00:00:00.123Z'), expiresAt: at('2030-01-01T12:00:00Z') });
        await store.addSessionRevocation({ kind: 'access-key', value: 'SLSS1AAAAAAAAAAAAAAA', revokedAt: at('2030-01-01T06:00:00Z'), expiresAt: at('2030-01-01T18:00:00Z') });
        assert.deepEqual((await store.listSessionRevocations(at('2030-01-01T07:00:00Z'))).map((r) => r.kind), ['role', 'access-key']);
        assert.equal((await store.listSessionRevocations(at('2030-01-01T07:00:00Z')))[0]?.revokedAt.toISOString(), '2030-01-01T00:00:00.123Z');
        assert.deepEqual(await store.listSessionRevocations(at('2030-01-01T13:00:00Z')), [
          { kind: 'access-key', value: 'SLSS1AAAAAAAAAAAAAAA', revokedAt: at('2030-01-01T06:00:00Z'), expiresAt: at('2030-01-01T18:00:00Z') },
        ]);
        assert.deepEqual(await store.listSessionRevocations(at('2030-01-01T18:00:00Z')), [], 'an entry lapses at its expiry');
      });

      test('drops expired entries as new ones are written', async (store) => {
        await store.addSessionRevocation({ kind: 'role', value: 'acme::role/deploy', revokedAt: at('2030-01-01T00:00:00Z'), expiresAt: at('2030-01-01T12:00:00Z') });
        await store.addSessionRevocation({ kind: 'access-key', value: 'SLSS1AAAAAAAAAAAAAAA', revokedAt: at('2030-01-01T06:00:00Z'), expiresAt: at('2030-01-01T18:00:00Z') });
        await store.addSessionRevocation({ kind: 'account', value: 'acme', revokedAt: at('2030-01-01T19:00:00Z'), expiresAt: at('2030-01-02T07:00:00Z') });
        // Listing from the past shows that the two expired entries were deleted, not merely hidden.
        assert.deepEqual((await store.listSessionRevocations(at('2029-12-31T00:00:00Z'))).map((r) => r.kind), ['account']);
      });
    });

    describe('session keys', () => {
      test('holds versions with their secrets, oldest first, refuses a taken version or kid, and removes versions', async (store) => {
        const keys = store.sessionKeys;
        assert.ok(keys, 'a writable store holds session keys');
        const { pem } = await generateIssuerKey('ES256');
        const v = (version: number, kid: string, iso: string) => ({ version, kid, hmacSecret: `hmac-${version}/+=`, privateKeyPem: pem, createdAt: at(iso) });
        await keys.addSessionKey(v(9, 'k9', '2030-01-01T00:00:00.001Z'));
        await keys.addSessionKey(v(1, 'k1', '2030-01-02T00:00:00Z'));
        assert.deepEqual(await keys.sessionKeys(), [v(9, 'k9', '2030-01-01T00:00:00.001Z'), v(1, 'k1', '2030-01-02T00:00:00Z')]);
        assert.deepEqual(await keys.listSessionKeys(), [
          { version: 9, kid: 'k9', createdAt: at('2030-01-01T00:00:00.001Z') },
          { version: 1, kid: 'k1', createdAt: at('2030-01-02T00:00:00Z') },
        ]);
        await assert.rejects(keys.addSessionKey(v(1, 'other', '2030-01-03T00:00:00Z')));
        await assert.rejects(keys.addSessionKey(v(2, 'k9', '2030-01-03T00:00:00Z')));
        await assert.rejects(keys.addSessionKey(v(10, 'k10', '2030-01-03T00:00:00Z'))); // versions are one digit
        await keys.removeSessionKeys([9, 5]);
        assert.deepEqual((await keys.listSessionKeys()).map((k) => k.version), [1]);
      });
    });

    describe('API key records', () => {
      const A = 'a'.repeat(32);
      const B = 'b'.repeat(32);
      const C = '0123456789abcdef0123456789abcdef';

      test('stores records exactly, with role and expiry only when given, and lists them by creation time, then id', async (store) => {
        await store.putAccount('acme');
        await store.putAccount('globex');
        const bound = apiKey(B, 'acme', { role: 'acme::role/deploy', label: 'nightly', expiresAt: at('2030-04-01T00:00:00.123Z') });
        await store.addApiKey(bound);
        await store.addApiKey(apiKey(A, 'globex'));
        await store.addApiKey(apiKey(C, 'acme', { createdAt: at('2029-12-31T23:59:59.999Z') }));
        assert.deepEqual(await store.getApiKey(B), bound);
        const unbound = await store.getApiKey(A);
        assert.deepEqual(unbound, apiKey(A, 'globex'));
        assert.deepEqual(Object.keys(unbound!).sort(), ['account', 'createdAt', 'jti', 'label'], 'no role, expiry or revocation fields');
        assert.equal(await store.getApiKey('f'.repeat(32)), null);
        assert.deepEqual((await store.listApiKeys()).map((k) => k.jti), [C, A, B], 'oldest first; the same time by id');
        assert.deepEqual((await store.listApiKeys({ account: 'acme' })).map((k) => k.jti), [C, B]);
        assert.deepEqual(await store.listApiKeys({ account: 'nobody' }), []);
      });

      test('revokes a record once: the first revocation time stays, unknown ids answer false', async (store, setNow) => {
        await store.putAccount('acme');
        await store.addApiKey(apiKey(A, 'acme'));
        await store.addApiKey(apiKey(B, 'acme'));
        setNow('2030-02-01T00:00:00.001Z');
        assert.equal(await store.revokeApiKey(A), true);
        setNow('2030-03-01T00:00:00Z');
        assert.equal(await store.revokeApiKey(A), true);
        assert.deepEqual(await store.getApiKey(A), { ...apiKey(A, 'acme'), revokedAt: at('2030-02-01T00:00:00.001Z') });
        assert.equal((await store.getApiKey(B))?.revokedAt, undefined, 'only that key');
        assert.equal((await store.listApiKeys()).find((k) => k.jti === A)?.revokedAt?.toISOString(), '2030-02-01T00:00:00.001Z');
        assert.equal(await store.revokeApiKey('f'.repeat(32)), false);
      });

      test('refuses a record of an unknown account and a taken id, keeping the first record', async (store) => {
        await store.putAccount('acme');
        await assert.rejects(store.addApiKey(apiKey(A, 'nobody')), UnknownAccountError);
        await store.addApiKey(apiKey(A, 'acme', { label: 'first' }));
        await assert.rejects(store.addApiKey(apiKey(A, 'acme', { label: 'second' })), (error: unknown) => {
          assert.ok(error instanceof DuplicateApiKeyError);
          assert.equal(error.code, 'DuplicateApiKey');
          return true;
        });
        assert.equal((await store.getApiKey(A))?.label, 'first');
        assert.equal((await store.listApiKeys()).length, 1);
      });

      test('holds records of accounts the configuration file defines', async (store) => {
        await store.addApiKey(apiKey(A, 'from-file'));
        assert.equal((await store.getApiKey(A))?.account, 'from-file');
      }, { accountExists: (account) => account === 'from-file' });
    });

    describe('account identity providers', () => {
      test('stores, lists by account and deletes; id and issuer are unique within an account only', async (store) => {
        await store.putAccount('acme');
        await store.putAccount('other');
        await store.addIdentityProvider(provider('acme', 'gitlab', 'https://gitlab.acme.example'));
        await store.addIdentityProvider({ ...provider('acme', 'campus', 'http://127.0.0.1:9'), local: true, claims: 'generic', audiences: ['one'] });
        // Another account may register the same id and the same issuer.
        await store.addIdentityProvider(provider('other', 'gitlab', 'https://gitlab.acme.example'));
        assert.deepEqual(await store.listIdentityProviders({ account: 'acme' }), [
          { ...provider('acme', 'campus', 'http://127.0.0.1:9'), local: true, claims: 'generic', audiences: ['one'] },
          provider('acme', 'gitlab', 'https://gitlab.acme.example'),
        ]);
        assert.deepEqual((await store.listIdentityProviders()).map((p) => `${p.account}/${p.id}`), ['acme/campus', 'acme/gitlab', 'other/gitlab']);
        await assert.rejects(store.addIdentityProvider(provider('acme', 'gitlab', 'https://new.example')), DuplicateIdentityProviderError);
        await assert.rejects(store.addIdentityProvider(provider('acme', 'new', 'https://gitlab.acme.example')), DuplicateIdentityProviderError);
        await assert.rejects(store.addIdentityProvider(provider('nobody', 'gitlab', 'https://gitlab.acme.example')), UnknownAccountError);
        assert.equal((await store.listIdentityProviders({ account: 'acme' })).length, 2, 'nothing refused was stored');
        assert.equal(await store.deleteIdentityProvider('other', 'campus'), false);
        assert.equal(await store.deleteIdentityProvider('acme', 'gitlab'), true);
        assert.equal(await store.deleteIdentityProvider('acme', 'gitlab'), false);
        assert.deepEqual((await store.listIdentityProviders({ account: 'acme' })).map((p) => p.id), ['campus']);
        assert.deepEqual((await store.listIdentityProviders({ account: 'other' })).map((p) => p.id), ['gitlab']);
        // Removed, the id and the issuer are free again.
        await store.addIdentityProvider(provider('acme', 'gitlab', 'https://gitlab.acme.example'));
        assert.deepEqual(await store.listIdentityProviders({ account: 'nobody' }), []);
      });

      test('lists accounts, then ids, in byte order', async (store) => {
        for (const account of ['acme', 'Zeta', 'a-b']) await store.putAccount(account);
        await store.addIdentityProvider(provider('acme', 'b', 'https://b.example'));
        await store.addIdentityProvider(provider('acme', 'a-2', 'https://a2.example'));
        await store.addIdentityProvider(provider('acme', 'a2', 'https://a.example'));
        await store.addIdentityProvider(provider('Zeta', 'z', 'https://z.example'));
        await store.addIdentityProvider(provider('a-b', 'x', 'https://x.example'));
        assert.deepEqual((await store.listIdentityProviders()).map((p) => `${p.account}/${p.id}`), ['Zeta/z', 'a-b/x', 'acme/a-2', 'acme/a2', 'acme/b']);
      });

      test('holds providers of accounts the configuration file defines', async (store) => {
        await store.addIdentityProvider(provider('from-file', 'gitlab', 'https://gitlab.example'));
        assert.deepEqual((await store.listIdentityProviders({ account: 'from-file' })).map((p) => p.id), ['gitlab']);
      }, { accountExists: (account) => account === 'from-file' });
    });

    describe('outbound secrets', () => {
      test('holds issuer keys and connection keys, and gives them back exactly', async (store) => {
        const outbound = store.outbound;
        assert.ok(outbound, 'a writable store holds outbound secrets');
        const { key, pem } = await generateIssuerKey('ES256');
        await outbound.addIssuerKey({ kid: key.kid, alg: 'ES256', status: 'active', createdAt: at('2030-01-01T00:00:00Z'), privateKeyPem: pem });
        assert.deepEqual(await outbound.issuerKeys(), [{ kid: key.kid, alg: 'ES256', status: 'active', createdAt: at('2030-01-01T00:00:00Z'), privateKeyPem: pem }]);
        await outbound.setConnectionCredentials('remote', { accessKeyId: 'AKIAREMOTEEXAMPLE000', secretAccessKey: 's/e+cret=', sessionToken: 'token' });
        assert.deepEqual(await outbound.connectionCredentials('remote'), { accessKeyId: 'AKIAREMOTEEXAMPLE000', secretAccessKey: 's/e+cret=', sessionToken: 'token' });
        await outbound.setConnectionCredentials('remote', { accessKeyId: 'AKIAREPLACED00000000', secretAccessKey: 'second' });
        assert.deepEqual(await outbound.connectionCredentials('remote'), { accessKeyId: 'AKIAREPLACED00000000', secretAccessKey: 'second' }, 'replaced, session token gone');
        assert.equal(await outbound.connectionCredentials('other'), null);
      });

      test('rotates issuer keys: next, then active with the old one previous, then retired', async (store) => {
        const outbound = store.outbound!;
        const a = await generateStoredKey(outbound, 'ES256', at('2030-01-01T00:00:01Z'));
        const b = await generateStoredKey(outbound, 'RS256', at('2030-01-01T00:00:02Z'));
        assert.deepEqual([a.status, b.status], ['active', 'next']);
        await assert.rejects(generateStoredKey(outbound, 'ES256', at('2030-01-01T00:00:03Z')), /already published/);
        assert.deepEqual(await rotateStoredKeys(outbound), { active: b.kid, previous: a.kid, retired: [] });
        await assert.rejects(rotateStoredKeys(outbound), /no next key/);
        const c = await generateStoredKey(outbound, 'ES256', at('2030-01-01T00:00:04Z'));
        assert.deepEqual(await rotateStoredKeys(outbound), { active: c.kid, previous: b.kid, retired: [a.kid] });
        assert.deepEqual((await outbound.listIssuerKeys()).map((k) => [k.kid, k.status]), [[a.kid, 'retired'], [b.kid, 'previous'], [c.kid, 'active']]);
        assert.deepEqual((await outbound.issuerKeys()).map((k) => k.kid), [b.kid, c.kid], 'retired keys are not loaded');
      });

      test('applies status changes all or nothing, and keeps one active key at most', async (store) => {
        const outbound = store.outbound!;
        const a = await generateStoredKey(outbound, 'ES256', at('2030-01-01T00:00:01Z'));
        const b = await generateStoredKey(outbound, 'ES256', at('2030-01-01T00:00:02Z'));
        await assert.rejects(outbound.setIssuerKeyStatuses([{ kid: a.kid, status: 'previous' }, { kid: 'no-such-kid', status: 'active' }]), /no issuer key/);
        assert.deepEqual((await outbound.listIssuerKeys()).map((k) => k.status), ['active', 'next'], 'nothing applied');
        await assert.rejects(outbound.setIssuerKeyStatuses([{ kid: b.kid, status: 'active' }]));
        assert.deepEqual((await outbound.listIssuerKeys()).map((k) => k.status), ['active', 'next'], 'two active keys refused');
      });
    });
  });
}
