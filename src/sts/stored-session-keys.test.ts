/**
 * Session keys kept in the policy store: rotation, pruning, and a server's
 * keyring read from the store — sessions issued before a rotation keep
 * working, new ones use the new version, unknown versions are refused, and
 * a server that has not yet seen a rotation reads the keys again on a miss.
 * Runs over a real SQLite store.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { S3Error } from '../core/errors/s3-error.ts';
import { tempSqliteStore } from '../policy/sqlite/test-support.ts';
import { mintSessionCredentials } from './mint-session.ts';
import type { Role } from './role.ts';
import { sessionKeyVersion } from './session-access-key.ts';
import { SessionCredentialSource } from './session-credential-source.ts';
import { NoSessionKeysError, StoredKeyringSource } from './session-keyring-source.ts';
import {
  SESSION_KEY_GRACE_SECONDS, SessionKeyRotationError, nextSessionKeyVersion, prunableVersions, rotateSessionSecret, type SessionKeyStore,
} from './stored-session-keys.ts';

const role: Role = {
  account: 'acme', name: 'deploy', bindings: [{ provider: 'github', audience: 'sluice', constraints: [] }],
  permissions: [{ actions: ['read'], resources: ['acme::bucket/site/*'] }], ceiling: [{ bucket: 'site', actions: ['read'] }],
  maxSessionDurationSeconds: 43_200,
};
const HOUR = 3_600_000;
const random = (bytes: Uint8Array) => crypto.getRandomValues(bytes);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof S3Error, `expected an S3Error, got ${String(error)}`);
  return `${error.status} ${error.code}`;
}

/** A store, a movable clock and a "server": the keyring source and credential source it would run. */
async function setup(t: TestContext) {
  const temp = await tempSqliteStore();
  t.after(temp.cleanup);
  let now = new Date('2030-01-01T00:00:00Z').getTime();
  const server = (keys: SessionKeyStore = temp.store.sessionKeys) => {
    const keyring = new StoredKeyringSource({ store: keys, audience: 'sluice-session', issuer: 'sluice', ttlMs: 30_000, now: () => now });
    const credentials = new SessionCredentialSource({ keyring, now: () => new Date(now) });
    const mint = async () => mintSessionCredentials(await keyring.current(), {
      role, sessionName: 's', assumedBy: 'repo:acme/site', assumedByIssuer: 'https://issuer', durationSeconds: 43_200, now: new Date(now), random,
    });
    return { keyring, credentials, mint };
  };
  return { temp, keys: temp.store.sessionKeys, server, advance: (ms: number) => (now += ms), now: () => new Date(now) };
}

describe('stored session keys', () => {
  it('a session issued before a rotation still works after it; new sessions use the new version and key', async (t) => {
    const { keys, server, advance, now } = await setup(t);
    const first = await rotateSessionSecret(keys, now());
    assert.deepEqual([first.version, first.previous, first.pruned], [1, undefined, []]);
    const { credentials, mint } = server();
    const before = await mint();
    assert.equal(sessionKeyVersion(before.accessKeyId), 1);
    assert.equal(decodeProtectedHeader(before.sessionToken).kid, first.kid);

    advance(60_000);
    const second = await rotateSessionSecret(keys, now());
    assert.deepEqual([second.version, second.previous], [2, 1]);
    advance(30_000); // the policy cache TTL
    const after = await mint();
    assert.equal(sessionKeyVersion(after.accessKeyId), 2);
    assert.equal(decodeProtectedHeader(after.sessionToken).kid, second.kid);

    const old = await credentials.resolve(before.accessKeyId, before.sessionToken);
    assert.equal(old?.secretAccessKey, before.secretAccessKey);
    assert.equal((await credentials.resolve(after.accessKeyId, after.sessionToken))?.secretAccessKey, after.secretAccessKey);
  });

  it('refuses an access key id naming a version the store does not hold, and a token signed with an unknown key', async (t) => {
    const { keys, server, now } = await setup(t);
    await rotateSessionSecret(keys, now());
    const { credentials, mint } = server();
    const issued = await mint();
    const otherVersion = `SLSS5${issued.accessKeyId.slice(5)}`;
    assert.equal(await refusal(credentials.resolve(otherVersion, issued.sessionToken)), '403 InvalidAccessKeyId');
    // Keys of another store: same shape, unknown version 1 secret and kid here.
    const elsewhere = await tempSqliteStore();
    t.after(elsewhere.cleanup);
    await rotateSessionSecret(elsewhere.store.sessionKeys, now());
    const foreign = await server(elsewhere.store.sessionKeys).mint();
    assert.equal(await refusal(credentials.resolve(issued.accessKeyId, foreign.sessionToken)), '400 InvalidToken');
  });

  it('a server that has not seen a rotation yet reads the keys again when a credential names the new version', async (t) => {
    const { keys, server, advance, now } = await setup(t);
    await rotateSessionSecret(keys, now());
    const lagging = server();
    await lagging.keyring.current();
    advance(10_000);
    await rotateSessionSecret(keys, now());
    const fresh = await server().mint();
    assert.equal(sessionKeyVersion(fresh.accessKeyId), 2);
    assert.ok(await lagging.credentials.resolve(fresh.accessKeyId, fresh.sessionToken), 'resolved after one reload, before its TTL ran out');
  });

  it('keeps using the keys it has while the store is unreachable, and says so when the store holds none', async (t) => {
    const { keys, now } = await setup(t);
    let down = false;
    const flaky: Pick<SessionKeyStore, 'sessionKeys'> = { sessionKeys: async () => { if (down) throw new Error('database unreachable'); return keys.sessionKeys(); } };
    let clock = now().getTime();
    const source = new StoredKeyringSource({ store: flaky, audience: 'a', issuer: 'i', ttlMs: 1000, now: () => clock });
    await assert.rejects(source.current(), NoSessionKeysError);
    await rotateSessionSecret(keys, now());
    const ring = await source.current();
    assert.equal(ring.activeHmacVersion, 1);
    down = true;
    clock += 5000;
    assert.equal(await source.current(), ring, 'the last good keys, not a failure');
  });

  it('prunes versions only once every session they issued is over, and reuses digits after 9', async (t) => {
    const { keys, advance, now } = await setup(t);
    await rotateSessionSecret(keys, now());
    advance(HOUR);
    await rotateSessionSecret(keys, now());
    advance(SESSION_KEY_GRACE_SECONDS * 1000 - 1);
    assert.deepEqual((await rotateSessionSecret(keys, now())).pruned, [], 'version 1 stopped being active a moment too recently');
    advance(1);
    const third = await rotateSessionSecret(keys, now());
    assert.deepEqual([third.version, third.pruned], [4, [1]]);
    assert.deepEqual((await keys.listSessionKeys()).map((k) => k.version), [2, 3, 4]);

    const summaries = (versions: number[]) => versions.map((version, i) => ({ version, kid: `k${version}`, createdAt: new Date(i * 1000) }));
    assert.equal(nextSessionKeyVersion(summaries([7, 8, 9])), 1);
    assert.equal(nextSessionKeyVersion(summaries([9, 1, 2])), 3);
    assert.equal(nextSessionKeyVersion(summaries([1, 2, 3, 4, 5, 6, 7, 8, 9])), undefined);
    assert.deepEqual(prunableVersions(summaries([1]), new Date(9e12)), [], 'the active version is never pruned');
  });

  it('refuses a tenth version while nine are live, and a rotation with a clock behind the active version', async (t) => {
    const { keys, advance, now } = await setup(t);
    for (let i = 0; i < 9; i++) {
      await rotateSessionSecret(keys, now());
      advance(1000);
    }
    await assert.rejects(rotateSessionSecret(keys, now()), SessionKeyRotationError);
    await assert.rejects(rotateSessionSecret(keys, new Date(now().getTime() - 60_000)), /check the clock/);
  });
});
