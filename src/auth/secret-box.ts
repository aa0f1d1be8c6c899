/**
 * Encrypting secrets at rest with the server's master key (AES-256-GCM via
 * WebCrypto). SigV4 needs the plaintext secret to recompute signatures, so a
 * one-way hash will not do. Each ciphertext is bound to the record it belongs
 * to (additional data), so secrets cannot be swapped between rows.
 */

import { fromBase64, toBase64 } from '../core/base64.ts';

const VERSION = 'v1';
const IV_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A master key is 32 random bytes, written as base64 (e.g. `openssl rand -base64 32`). */
export function parseMasterKey(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text.trim());
  } catch {
    throw new TypeError('the master key must be base64');
  }
  if (bytes.byteLength !== 32) throw new TypeError(`the master key must be 32 bytes of base64, got ${bytes.byteLength} bytes`);
  return bytes;
}

export class SecretBox {
  private readonly key: Promise<CryptoKey>;

  constructor(masterKey: Uint8Array) {
    this.key = crypto.subtle.importKey('raw', new Uint8Array(masterKey), 'AES-GCM', false, ['encrypt', 'decrypt']);
  }

  async seal(plaintext: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = new Uint8Array(await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(context) },
      await this.key,
      encoder.encode(plaintext),
    ));
    const out = new Uint8Array(IV_BYTES + sealed.byteLength);
    out.set(iv, 0);
    out.set(sealed, IV_BYTES);
    return `${VERSION}.${toBase64(out)}`;
  }

  /** Throws when the ciphertext was altered, belongs to another record, or was sealed under another key. */
  async open(ciphertext: string, context: string): Promise<string> {
    const [version, body] = ciphertext.split('.');
    if (version !== VERSION || body === undefined) throw new TypeError('unrecognised secret format');
    const bytes = fromBase64(body);
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(0, IV_BYTES), additionalData: encoder.encode(context) },
      await this.key,
      bytes.slice(IV_BYTES),
    );
    return decoder.decode(plain);
  }
}
