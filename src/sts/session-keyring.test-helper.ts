/**
 * Fresh session keys for tests: random HMAC secrets and ES256 key pairs in
 * the PEM forms the configuration takes.
 */
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { SessionKeyring, type SessionKeyringConfig } from './session-keyring.ts';

export function randomHmacSecret(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}

export async function es256Pem(): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey: await exportPKCS8(privateKey), publicKey: await exportSPKI(publicKey) };
}

export async function testKeyringConfig(overrides: Partial<SessionKeyringConfig> = {}): Promise<SessionKeyringConfig> {
  return {
    hmacSecrets: [{ version: 1, secret: randomHmacSecret() }],
    signingKeys: [{ kid: 'session-1', privateKey: (await es256Pem()).privateKey }],
    audience: 'sluice-session',
    issuer: 'sluice',
    ...overrides,
  };
}

export async function testKeyring(overrides: Partial<SessionKeyringConfig> = {}): Promise<SessionKeyring> {
  return SessionKeyring.create(await testKeyringConfig(overrides));
}
