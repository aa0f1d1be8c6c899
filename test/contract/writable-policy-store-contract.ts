/**
 * The contract of writable policy stores beyond lookups: roles managed at
 * run time, revoked sessions, session keys by version and outbound secrets
 * (issuer keys in a rotation, connections' keys). SQLite and PostgreSQL both run it, so a
 * database chosen for a fleet behaves as the single-file one does.
 *
 *   runWritablePolicyStoreContract('postgres', async ({ now }) => ({ store, cleanup }));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateIssuerKey } from '../../src/oidc/issuer/issuer-keys.ts';
import { generateStoredKey, rotateStoredKeys } from '../../src/oidc/issuer/key-rotation.ts';
import type { WritablePolicyStore } from '../../src/policy/store.ts';

export type MakeWritableStore = (options: { now: () => Date }) => Promise<{ store: WritablePolicyStore; cleanup(): Promise<void> }>;

const at = (iso: string) => new Date(iso);

export function runWritablePolicyStoreContract(name: string, make: MakeWritableStore): void {
  const test = (testName: string, body: (store: WritablePolicyStore, setNow: (iso: string) => void) => Promise<void>) =>
    it(testName, async (t) => {
      let now = at('2030-01-01T00:00:00.000Z');
      const { store, cleanup } = await make({ now: () => now });
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
