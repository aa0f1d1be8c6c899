/**
 * The server's keys for stateless session credentials:
 *
 * - HMAC secrets, each with a version digit (1–9) that session access key ids
 *   carry, so the secret of a key id can be re-derived after rotation while
 *   older versions remain configured;
 * - ES256 keys for session tokens, by `kid`: one signs, all verify, so a new
 *   key can be introduced and an old one retired without cutting sessions.
 *
 * WebCrypto only, so it runs on every runtime.
 */
import { exportJWK, importJWK, importPKCS8, importSPKI } from 'jose';

export interface SessionKeyringConfig {
  hmacSecrets: readonly { version: number; /** base64, at least 32 bytes */ secret: string }[];
  /** The version new credentials use; the highest configured when absent. */
  activeHmacVersion?: number;
  signingKeys: readonly { kid: string; /** PKCS#8 PEM */ privateKey?: string; /** SPKI PEM, for verification only */ publicKey?: string }[];
  /** The key new tokens are signed with; the first with a private key when absent. */
  activeSigningKid?: string;
  /** `aud` and `iss` of session tokens. */
  audience: string;
  issuer: string;
}

export class SessionKeyring {
  private constructor(
    private readonly hmacKeys: ReadonlyMap<number, CryptoKey>,
    readonly activeHmacVersion: number,
    private readonly verificationKeys: ReadonlyMap<string, CryptoKey>,
    readonly signing: { kid: string; key: CryptoKey },
    readonly audience: string,
    readonly issuer: string,
  ) {}

  static async create(config: SessionKeyringConfig): Promise<SessionKeyring> {
    const hmacKeys = new Map<number, CryptoKey>();
    for (const { version, secret } of config.hmacSecrets) {
      if (!Number.isInteger(version) || version < 1 || version > 9) throw new TypeError('session HMAC secret versions are 1 to 9');
      const bytes = decodeBase64(secret);
      if (bytes.byteLength < 32) throw new TypeError(`session HMAC secret version ${version} must be at least 32 bytes`);
      hmacKeys.set(version, await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    }
    const activeHmacVersion = config.activeHmacVersion ?? Math.max(...hmacKeys.keys());
    if (!hmacKeys.has(activeHmacVersion)) throw new TypeError(`no session HMAC secret of version ${activeHmacVersion}`);

    const verificationKeys = new Map<string, CryptoKey>();
    const signingKeys = new Map<string, CryptoKey>();
    for (const { kid, privateKey, publicKey } of config.signingKeys) {
      if (privateKey) {
        const key = await importPKCS8(privateKey, 'ES256', { extractable: true });
        signingKeys.set(kid, key);
        // The public half, from the private key's JWK without `d`.
        const { d: _d, ...publicJwk } = await exportJWK(key);
        verificationKeys.set(kid, (await importJWK(publicJwk, 'ES256')) as CryptoKey);
      } else if (publicKey) {
        verificationKeys.set(kid, await importSPKI(publicKey, 'ES256'));
      } else {
        throw new TypeError(`session signing key "${kid}" needs a privateKey or a publicKey`);
      }
    }
    const activeKid = config.activeSigningKid ?? [...signingKeys.keys()][0];
    const signingKey = activeKid === undefined ? undefined : signingKeys.get(activeKid);
    if (activeKid === undefined || !signingKey) throw new TypeError('no session signing key with a private key to sign with');
    return new SessionKeyring(hmacKeys, activeHmacVersion, verificationKeys, { kid: activeKid, key: signingKey }, config.audience, config.issuer);
  }

  hmacKey(version: number): CryptoKey | undefined {
    return this.hmacKeys.get(version);
  }

  verificationKey(kid: string): CryptoKey | undefined {
    return this.verificationKeys.get(kid);
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
