/**
 * Access key ids and secrets. Ids look like AWS's (20 upper-case characters)
 * with a prefix that tells long-lived keys from session credentials, as AWS's
 * AKIA/ASIA do.
 */

export const ACCESS_KEY_PREFIX = 'SLAK';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomString(alphabet: string, length: number, random: (bytes: Uint8Array) => Uint8Array): string {
  // Alphabets of 32 and 64 symbols divide 256 evenly, so masking is unbiased.
  const bytes = random(new Uint8Array(length));
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

const defaultRandom = (bytes: Uint8Array) => crypto.getRandomValues(bytes);

export function newAccessKeyId(prefix = ACCESS_KEY_PREFIX, random = defaultRandom): string {
  return prefix + randomString(BASE32, 20 - prefix.length, random);
}

/** 40 characters from a 64-symbol alphabet: 240 bits. */
export function newSecretAccessKey(random = defaultRandom): string {
  return randomString(SECRET_ALPHABET, 40, random);
}

export function isAccessKeyId(id: string): boolean {
  return /^SLAK[A-Z2-7]{16}$/.test(id);
}
