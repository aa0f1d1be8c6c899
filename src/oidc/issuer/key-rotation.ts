/**
 * Issuer key rotation in the policy store, in two steps so relying parties
 * never meet a `kid` they have not had the chance to fetch:
 *
 * 1. `generateStoredKey`: the first key becomes active at once; later keys
 *    are added as `next` — published in the JWKS, not yet signing.
 * 2. `rotateStoredKeys` (once relying parties' caches have refreshed, i.e.
 *    after `jwksMaxAgeSeconds` plus the servers' 60 s reload): `next`
 *    becomes active, the active key becomes `previous` (still published, so
 *    tokens it signed verify until they expire) and the old `previous` is
 *    retired.
 */
import type { IssuerKeyStatus, OutboundSecretStore } from '../../policy/outbound-store.ts';
import { type IssuerAlgorithm, IssuerKeyError, generateIssuerKey } from './issuer-keys.ts';

export async function generateStoredKey(
  store: OutboundSecretStore,
  alg: IssuerAlgorithm,
  now: Date,
): Promise<{ kid: string; status: IssuerKeyStatus }> {
  const keys = await store.listIssuerKeys();
  if (keys.some((key) => key.status === 'next')) {
    throw new IssuerKeyError('a next key is already published; run `sluice issuer keys rotate` to make it active first');
  }
  const status: IssuerKeyStatus = keys.some((key) => key.status === 'active') ? 'next' : 'active';
  const { key, pem } = await generateIssuerKey(alg);
  await store.addIssuerKey({ kid: key.kid, alg, status, createdAt: now, privateKeyPem: pem });
  return { kid: key.kid, status };
}

export async function rotateStoredKeys(store: OutboundSecretStore): Promise<{ active: string; previous?: string; retired: string[] }> {
  const keys = await store.listIssuerKeys();
  const next = keys.find((key) => key.status === 'next');
  if (!next) {
    throw new IssuerKeyError('no next key to rotate to: run `sluice issuer keys generate` first, and rotate once relying parties have fetched it');
  }
  const active = keys.find((key) => key.status === 'active');
  const retired = keys.filter((key) => key.status === 'previous').map((key) => key.kid);
  await store.setIssuerKeyStatuses([
    ...retired.map((kid) => ({ kid, status: 'retired' as const })),
    ...(active ? [{ kid: active.kid, status: 'previous' as const }] : []),
    { kid: next.kid, status: 'active' },
  ]);
  return { active: next.kid, ...(active && { previous: active.kid }), retired };
}
