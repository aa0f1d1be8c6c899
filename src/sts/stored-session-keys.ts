/**
 * Session keys kept in the policy store instead of the configuration: each
 * version pairs an HMAC secret (session access key ids carry its version
 * digit) with an ES256 signing key, both sealed under the master key there.
 * The newest version is the active one; older versions keep verifying until
 * every session they could have issued has expired, and can then be pruned.
 *
 * `rotateSessionSecret` adds a version and so makes it active; it prunes the
 * versions whose sessions are all over, and picks the next free digit.
 */
import { exportPKCS8, generateKeyPair } from 'jose';
import { MAX_SESSION_SECONDS } from './role.ts';
import type { SessionKeyringConfig } from './session-keyring.ts';

export interface StoredSessionKey {
  /** 1–9, the digit session access key ids carry. */
  version: number;
  /** base64 of 32 random bytes. */
  hmacSecret: string;
  /** The session tokens' `kid`. */
  kid: string;
  /** ES256, PKCS#8 PEM. */
  privateKeyPem: string;
  /** When the version was added, and so became active. */
  createdAt: Date;
}

export type SessionKeySummary = Omit<StoredSessionKey, 'hmacSecret' | 'privateKeyPem'>;

/** The session-keys half of a writable policy store. */
export interface SessionKeyStore {
  /** Every stored version with its secrets opened, oldest first. */
  sessionKeys(): Promise<StoredSessionKey[]>;
  /** Every stored version without secrets, oldest first. */
  listSessionKeys(): Promise<SessionKeySummary[]>;
  /** Adds a version; refuses a version or kid that is taken. */
  addSessionKey(key: StoredSessionKey): Promise<void>;
  /** Removes these versions (those not there are ignored). */
  removeSessionKeys(versions: readonly number[]): Promise<void>;
}

/**
 * How long after a version stops being active it still verifies: the longest
 * session, plus the longest a server may keep issuing with it from its cache
 * (policy.cacheTtlSeconds is at most 60 s) and room for clock skew.
 */
export const SESSION_KEY_GRACE_SECONDS = MAX_SESSION_SECONDS + 300;

/** Oldest first; the last one is active. */
const byAge = (a: SessionKeySummary, b: SessionKeySummary) => a.createdAt.getTime() - b.createdAt.getTime() || a.version - b.version;

/** Versions that stopped being active more than the grace period before `now`: no session of theirs is alive. */
export function prunableVersions(keys: readonly SessionKeySummary[], now: Date): number[] {
  const sorted = [...keys].sort(byAge);
  return sorted.slice(0, -1).filter((key, i) => {
    const supersededAt = sorted[i + 1]!.createdAt.getTime();
    return supersededAt + SESSION_KEY_GRACE_SECONDS * 1000 <= now.getTime();
  }).map((key) => key.version);
}

/** The first free digit after the active version, wrapping from 9 to 1; undefined when all nine are in use. */
export function nextSessionKeyVersion(keys: readonly SessionKeySummary[]): number | undefined {
  const taken = new Set(keys.map((k) => k.version));
  const active = [...keys].sort(byAge).at(-1)?.version ?? 0;
  for (let step = 1; step <= 9; step++) {
    const version = ((active + step - 1) % 9) + 1;
    if (!taken.has(version)) return version;
  }
  return undefined;
}

export class SessionKeyRotationError extends Error {
  override name = 'SessionKeyRotationError';
}

export interface RotationResult {
  version: number;
  kid: string;
  /** The version that was active until now, if any; it keeps verifying. */
  previous?: number;
  pruned: number[];
}

/** Adds a new active version (HMAC secret and signing key), after pruning versions whose sessions are all over. */
export async function rotateSessionSecret(store: SessionKeyStore, now: Date): Promise<RotationResult> {
  const before = await store.listSessionKeys();
  const pruned = prunableVersions(before, now);
  if (pruned.length > 0) await store.removeSessionKeys(pruned);
  const kept = before.filter((k) => !pruned.includes(k.version));
  const latest = [...kept].sort(byAge).at(-1);
  if (latest && latest.createdAt.getTime() >= now.getTime()) {
    throw new SessionKeyRotationError('the active session key was created at or after this time; check the clock');
  }
  const version = nextSessionKeyVersion(kept);
  if (version === undefined) {
    throw new SessionKeyRotationError(`all nine session key versions are in use; the oldest can be pruned ${SESSION_KEY_GRACE_SECONDS / 3600} hours after it stopped being active`);
  }
  const hmacSecret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const suffix = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('');
  const kid = `session-v${version}-${suffix}`;
  await store.addSessionKey({ version, hmacSecret, kid, privateKeyPem: await exportPKCS8(privateKey), createdAt: now });
  return { version, kid, ...(latest && { previous: latest.version }), pruned };
}

/** The keyring settings for stored versions: every one verifies, the newest signs. Undefined when none is stored. */
export function storedKeyringConfig(keys: readonly StoredSessionKey[], names: { audience: string; issuer: string }): SessionKeyringConfig | undefined {
  const active = [...keys].sort(byAge).at(-1);
  if (!active) return undefined;
  return {
    hmacSecrets: keys.map((k) => ({ version: k.version, secret: k.hmacSecret })),
    activeHmacVersion: active.version,
    signingKeys: keys.map((k) => ({ kid: k.kid, privateKey: k.privateKeyPem })),
    activeSigningKid: active.kid,
    ...names,
  };
}
