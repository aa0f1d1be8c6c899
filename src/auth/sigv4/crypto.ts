/**
 * The hashing primitives SigV4 needs, behind a small injectable interface.
 *
 * The default runs anywhere with WebCrypto (Workers, browsers, Node). WebCrypto
 * is async-only and has no incremental digest, so streaming hashes use
 * `@noble/hashes`. A runtime with faster synchronous primitives (Node's
 * `node:crypto`) supplies its own implementation; callers `await` results, so
 * either shape works.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** An incremental SHA-256 for bodies that arrive in pieces. */
export interface Sha256Hasher {
  update(data: Uint8Array): void;
  /** Lower-case hex digest; the hasher is finished afterwards. */
  digestHex(): string;
}

export interface SigV4Crypto {
  sha256Hex(data: Uint8Array | string): Promise<string> | string;
  hmac(key: Uint8Array, data: string): Promise<Uint8Array> | Uint8Array;
  /** Incremental SHA-256; optional, the portable one is used when absent. */
  createSha256?(): Sha256Hasher;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

// WebCrypto's typings want ArrayBuffer-backed views; TextEncoder output and
// copies made here always are.
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/** Portable incremental SHA-256 (pure JS, runs on every runtime). */
export function createPortableSha256(): Sha256Hasher {
  const hash = nobleSha256.create();
  return {
    update(data) {
      hash.update(data);
    },
    digestHex() {
      return toHex(hash.digest());
    },
  };
}

// Importing an HMAC key costs as much as using it. Signing keys are the same
// cached byte arrays request after request, so their imported form is kept
// alongside them (and goes when they do).
const importedKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function importHmacKey(key: Uint8Array): Promise<CryptoKey> {
  let imported = importedKeys.get(key);
  if (!imported) {
    imported = crypto.subtle.importKey('raw', bufferSource(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    importedKeys.set(key, imported);
  }
  return imported;
}

/** WebCrypto-backed default. */
export const webSigV4Crypto: SigV4Crypto = {
  async sha256Hex(data) {
    const bytes = typeof data === 'string' ? utf8(data) : data;
    return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bufferSource(bytes))));
  },
  async hmac(key, data) {
    const cryptoKey = await importHmacKey(key);
    return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, bufferSource(utf8(data))));
  },
  createSha256: createPortableSha256,
};

export function sha256Hasher(impl: SigV4Crypto): Sha256Hasher {
  return impl.createSha256 ? impl.createSha256() : createPortableSha256();
}

/**
 * Compare two strings without an early exit, so the time taken does not tell
 * an attacker how many leading characters of a guessed signature were right.
 * Lengths are public (signatures are fixed-size hex).
 */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
