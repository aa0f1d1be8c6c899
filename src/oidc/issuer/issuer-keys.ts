/**
 * Sluice's own signing keys as an OIDC issuer: RS256 (RSA) or ES256 (P-256)
 * private keys, each named by its RFC 7638 thumbprint (`kid`). A key set has
 * one active key, which signs, and the keys still published beside it (the
 * next key before it signs, the previous one while tokens it signed may
 * still be checked), so relying parties never see a `kid` they cannot find.
 */
import { type JWK, calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8 } from 'jose';

export const ISSUER_ALGORITHMS = ['RS256', 'ES256'] as const;
export type IssuerAlgorithm = (typeof ISSUER_ALGORITHMS)[number];

export interface IssuerKey {
  kid: string;
  alg: IssuerAlgorithm;
  /** Signs tokens; never leaves the process. */
  privateKey: CryptoKey;
  /** The public half as published in the JWKS (`kid`, `alg`, `use: sig`). */
  publicJwk: JWK;
}

export interface IssuerKeySet {
  /** The key that signs new tokens. */
  active: IssuerKey;
  /** Every key published in the JWKS, the active one first. */
  published: readonly IssuerKey[];
}

/** A bad key or key set, found at start-up or when keys are loaded. */
export class IssuerKeyError extends Error {
  override name = 'IssuerKeyError';
}

const PUBLIC_MEMBERS: Record<string, readonly string[]> = { RSA: ['kty', 'n', 'e'], EC: ['kty', 'crv', 'x', 'y'] };

/** The algorithm a PKCS#8 key is for, read from its JWK form. */
function algorithmOf(jwk: JWK): IssuerAlgorithm {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new IssuerKeyError(`unsupported issuer key type ${jwk.kty}${jwk.crv ? ` (${jwk.crv})` : ''}: use RSA (RS256) or P-256 (ES256)`);
}

/** An issuer key from its private JWK form (with `d`). */
async function keyFromPrivateJwk(jwk: JWK, expectedAlg?: IssuerAlgorithm): Promise<IssuerKey> {
  const alg = algorithmOf(jwk);
  if (expectedAlg !== undefined && expectedAlg !== alg) throw new IssuerKeyError(`the key is for ${alg}, not ${expectedAlg}`);
  if (alg === 'RS256' && (jwk.n === undefined || Math.ceil((jwk.n.length * 6) / 8) < 256)) {
    throw new IssuerKeyError('RSA issuer keys must be at least 2048 bits');
  }
  const members = jwk as Record<string, unknown>;
  const publicOnly = Object.fromEntries(PUBLIC_MEMBERS[jwk.kty!]!.map((member) => [member, members[member]])) as JWK;
  const kid = await calculateJwkThumbprint(publicOnly, 'sha256');
  const privateKey = (await importJWK({ ...jwk, alg }, alg, { extractable: false })) as CryptoKey;
  return { kid, alg, privateKey, publicJwk: { ...publicOnly, kid, alg, use: 'sig' } };
}

/** An issuer key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
export async function importIssuerKey(pem: string, expectedAlg?: IssuerAlgorithm): Promise<IssuerKey> {
  const text = pem.trim();
  if (!text.startsWith('-----BEGIN PRIVATE KEY-----')) {
    throw new IssuerKeyError('an issuer key must be a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----"; convert with `openssl pkcs8 -topk8 -nocrypt`)');
  }
  // Try both algorithms' import: PKCS#8 names the key type, WebCrypto needs the algorithm up front.
  for (const alg of ISSUER_ALGORITHMS) {
    let imported: CryptoKey;
    try {
      imported = (await importPKCS8(text, alg, { extractable: true })) as CryptoKey;
    } catch {
      continue;
    }
    return keyFromPrivateJwk(await exportJWK(imported), expectedAlg);
  }
  throw new IssuerKeyError('the issuer key PEM is not an RSA or P-256 private key');
}

/** A fresh key pair, returned with its PKCS#8 PEM for storage. */
export async function generateIssuerKey(alg: IssuerAlgorithm): Promise<{ key: IssuerKey; pem: string }> {
  const options = alg === 'RS256' ? { extractable: true, modulusLength: 2048 } : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  const pem = await exportPKCS8(privateKey);
  return { key: await importIssuerKey(pem, alg), pem };
}

/** A key set: `active` signs; `others` are published too (next and previous keys). */
export function issuerKeySet(active: IssuerKey, others: readonly IssuerKey[] = []): IssuerKeySet {
  const seen = new Set([active.kid]);
  const published = [active];
  for (const key of others) {
    if (seen.has(key.kid)) continue;
    seen.add(key.kid);
    published.push(key);
  }
  return { active, published };
}

/** Where the issuer's keys come from: fixed at start-up (configuration) or reloaded (the policy store). */
export interface IssuerKeySource {
  keys(): Promise<IssuerKeySet>;
}

export function staticKeySource(set: IssuerKeySet): IssuerKeySource {
  return { keys: async () => set };
}
