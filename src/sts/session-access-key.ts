/**
 * Session access key ids and their secrets, with no state kept anywhere.
 *
 * An id is `SLSS`, one digit naming the HMAC secret version, and 15 random
 * base32 characters: 20 characters, like AWS's `ASIA…` ids. Its secret is
 * HMAC-SHA256(server secret of that version, id), so any server holding the
 * secret re-derives it from the id alone.
 */
import type { SessionKeyring } from './session-keyring.ts';

export const SESSION_KEY_PREFIX = 'SLSS';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SESSION_KEY_ID = /^SLSS([1-9])[A-Z2-7]{15}$/;

export function isSessionKeyId(accessKeyId: string): boolean {
  return accessKeyId.startsWith(SESSION_KEY_PREFIX);
}

/** The HMAC version a well-formed session key id names, or undefined. */
export function sessionKeyVersion(accessKeyId: string): number | undefined {
  const match = SESSION_KEY_ID.exec(accessKeyId);
  return match ? Number(match[1]) : undefined;
}

export function newSessionKeyId(version: number, random: (bytes: Uint8Array) => Uint8Array): string {
  if (!Number.isInteger(version) || version < 1 || version > 9) throw new TypeError('session HMAC versions are 1 to 9');
  // 32 symbols divide 256 evenly, so masking is unbiased.
  const bytes = random(new Uint8Array(15));
  let out = `${SESSION_KEY_PREFIX}${version}`;
  for (const byte of bytes) out += BASE32[byte & 31];
  return out;
}

/**
 * The secret of a session key id: the first 30 bytes of the HMAC in base64,
 * 40 characters like an AWS secret. Undefined when the id is malformed or its
 * version is no longer configured.
 */
export async function deriveSessionSecret(keyring: SessionKeyring, accessKeyId: string): Promise<string | undefined> {
  const version = sessionKeyVersion(accessKeyId);
  const key = version === undefined ? undefined : keyring.hmacKey(version);
  if (!key) return undefined;
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(accessKeyId)));
  return btoa(String.fromCharCode(...mac.subarray(0, 30)));
}
