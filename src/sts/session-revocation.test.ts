import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PrincipalIdentity } from '../core/identity.ts';
import { S3Error } from '../core/errors/s3-error.ts';
import { type SessionRevocation, isRevoked, newRevocation, revocationCheckedSource } from './session-revocation.ts';

const issuedAt = new Date('2026-06-01T12:00:00Z');
const session: PrincipalIdentity = {
  kind: 'principal', account: 'acme', accessKeyId: 'SLSS1AAAAAAAAAAAAAAA',
  session: { role: 'deploy', sessionName: 'ci', assumedBy: 'repo:acme/site', issuer: 'https://issuer', issuedAt, expiresAt: new Date('2026-06-01T13:00:00Z') },
};
const at = (offsetSeconds: number) => new Date(issuedAt.getTime() + offsetSeconds * 1000);

const rows: [name: string, identity: PrincipalIdentity, entry: SessionRevocation, revoked: boolean][] = [
  ['key id revoked after issue', session, newRevocation('access-key', 'SLSS1AAAAAAAAAAAAAAA', at(10)), true],
  ['another key id', session, newRevocation('access-key', 'SLSS1BBBBBBBBBBBBBBB', at(10)), false],
  ['role revoked after issue', session, newRevocation('role', 'acme::role/deploy', at(10)), true],
  ['role revoked in the second of issue', session, newRevocation('role', 'acme::role/deploy', at(0)), true],
  ['role revoked before issue: a later session', session, newRevocation('role', 'acme::role/deploy', at(-1)), false],
  ['same role name, other account', session, newRevocation('role', 'other::role/deploy', at(10)), false],
  ['account revoked', session, newRevocation('account', 'acme', at(10)), true],
  ['other account', session, newRevocation('account', 'other', at(10)), false],
  ['a long-lived access key is never a revoked session', { kind: 'principal', account: 'acme', accessKeyId: 'SLAKAAAAAAAAAAAAAAAA' }, newRevocation('account', 'acme', at(10)), false],
];

for (const [name, identity, entry, revoked] of rows) {
  test(`isRevoked: ${name} → ${revoked}`, () => assert.equal(isRevoked(identity, [entry]), revoked));
}

test('an entry lasts as long as the longest session (12 h) by default', () => {
  const entry = newRevocation('account', 'acme', issuedAt);
  assert.equal(entry.expiresAt.getTime() - entry.revokedAt.getTime(), 43_200_000);
});

test('the checked source refuses a revoked session with 403 AccessDenied and passes others through', async () => {
  const inner = { resolve: async (id: string) => (id === 'none' ? null : { secretAccessKey: 'x', identity: session }) };
  let entries: SessionRevocation[] = [];
  const source = revocationCheckedSource(inner, async () => entries);
  assert.equal((await source.resolve('SLSS1AAAAAAAAAAAAAAA', 't'))?.identity, session);
  assert.equal(await source.resolve('none', 't'), null);
  entries = [newRevocation('role', 'acme::role/deploy', at(5))];
  await assert.rejects(source.resolve('SLSS1AAAAAAAAAAAAAAA', 't'), (e: unknown) => e instanceof S3Error && e.code === 'AccessDenied');
});
