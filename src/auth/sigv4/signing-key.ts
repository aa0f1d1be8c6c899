/**
 * SigV4 signing-key derivation and request signatures.
 *
 * Deriving a key costs four HMACs and the result is valid for a whole day per
 * (secret, date, region, service), so keys are kept in a small bounded LRU.
 * The cache holds secrets in memory only; nothing here logs or reports them.
 */
import { type SigV4Crypto, toHex, utf8, webSigV4Crypto } from './crypto.ts';
import { SCOPE_TERMINATOR } from './canonical.ts';

/** A bounded least-recently-used map of derived signing keys. */
export class SigningKeyCache {
  private readonly entries = new Map<string, Uint8Array>();

  constructor(readonly capacity = 256) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError('capacity must be a non-negative integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): Uint8Array | undefined {
    const key = this.entries.get(id);
    if (key) {
      // Re-insert so Map order tracks recency.
      this.entries.delete(id);
      this.entries.set(id, key);
    }
    return key;
  }

  set(id: string, key: Uint8Array): void {
    if (this.capacity === 0) return;
    this.entries.delete(id);
    this.entries.set(id, key);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

const sharedCache = new SigningKeyCache();

export interface DeriveOptions {
  crypto?: SigV4Crypto;
  /** Defaults to a process-wide cache; pass `new SigningKeyCache(0)` to disable. */
  cache?: SigningKeyCache;
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export async function deriveSigningKey(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
  options: DeriveOptions = {},
): Promise<Uint8Array> {
  const cache = options.cache ?? sharedCache;
  // Newlines cannot appear in a date, region or service that passed parsing,
  // so this id is unambiguous.
  const id = `${date}\n${region}\n${service}\n${secretAccessKey}`;
  const cached = cache.get(id);
  if (cached) return cached;
  const impl = options.crypto ?? webSigV4Crypto;
  let key = await impl.hmac(utf8('AWS4' + secretAccessKey), date);
  key = await impl.hmac(key, region);
  key = await impl.hmac(key, service);
  key = await impl.hmac(key, SCOPE_TERMINATOR);
  cache.set(id, key);
  return key;
}

/** Hex HMAC-SHA256 of the string to sign under the signing key. */
export async function signature(signingKey: Uint8Array, stringToSign: string, impl: SigV4Crypto = webSigV4Crypto): Promise<string> {
  return toHex(await impl.hmac(signingKey, stringToSign));
}
