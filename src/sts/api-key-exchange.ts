/**
 * What an API key token must satisfy at the STS endpoint, beyond its
 * signature and the role's bindings: it is an API key (`type: api_key`,
 * a `jti`), its account owns the role, a bound role is the one requested,
 * and its record exists and is not revoked. Records are read through a TTL
 * cache (the policy cache's TTL); a revocation made in this process, or
 * announced by the store's change feed, drops the entry at once.
 */
import type { JWTPayload } from 'jose';
import { API_KEY_TYPE } from '../oidc/issuer/api-key-token.ts';
import type { ApiKeyRecord, ApiKeyStore } from '../policy/api-key-store.ts';
import { TtlCache } from '../policy/ttl-cache.ts';
import { type RoleRef, parseRoleRef, roleUrn } from './role-ref.ts';
import { StsError } from './sts-error.ts';

export interface ApiKeyRecordLookup {
  get(jti: string): Promise<ApiKeyRecord | null>;
}

/** Records by `jti`, cached for `ttlMs`; `invalidate` after a revocation in this process or announced by the store. */
export class CachedApiKeyRecords implements ApiKeyRecordLookup {
  private readonly cache: TtlCache<ApiKeyRecord | null>;

  constructor(private readonly store: Pick<ApiKeyStore, 'getApiKey'>, options: { ttlMs: number; now: () => number }) {
    this.cache = new TtlCache({ ttlMs: options.ttlMs, now: options.now });
  }

  get(jti: string): Promise<ApiKeyRecord | null> {
    return this.cache.get(jti, () => this.store.getApiKey(jti));
  }

  invalidate(jti: string): void {
    this.cache.invalidate(jti);
  }

  /** Forget every record (the store's change feed may have missed announcements). */
  clear(): void {
    this.cache.clear();
  }
}

/** The account and record of a verified API key token; throws `StsError` when it may not assume `ref`. */
export async function checkApiKeyExchange(claims: JWTPayload, ref: RoleRef, records: ApiKeyRecordLookup, now: Date): Promise<ApiKeyRecord> {
  if (claims.type !== API_KEY_TYPE) throw new StsError('InvalidIdentityToken', 'The token is not a Sluice API key.', `type claim ${JSON.stringify(claims.type)}`);
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti === '') throw new StsError('InvalidIdentityToken', 'The API key has no id (jti).');
  if (claims.sub !== ref.account) {
    throw new StsError('IDPRejectedClaim', 'The API key\'s account does not own this role.', `API key ${jti} of account ${String(claims.sub)} for role ${roleUrn(ref)}`);
  }
  if (claims.role !== undefined) {
    const bound = typeof claims.role === 'string' ? parseRoleRef(claims.role) : undefined;
    if (!bound || bound.account !== ref.account || bound.name !== ref.name) {
      throw new StsError('IDPRejectedClaim', 'The API key is bound to another role.', `API key ${jti} bound to ${String(claims.role)}, requested ${roleUrn(ref)}`);
    }
  }
  const record = await records.get(jti);
  // Fail closed: a key the store does not know (deleted, or minted elsewhere) is refused like a revoked one.
  if (!record || record.account !== claims.sub) throw new StsError('InvalidIdentityToken', 'The API key is not known to this server.', `no API key record ${jti}`);
  if (record.revokedAt !== undefined) {
    throw new StsError('InvalidIdentityToken', 'The API key has been revoked.', `API key ${jti} revoked at ${record.revokedAt.toISOString()}`);
  }
  if (record.expiresAt !== undefined && record.expiresAt.getTime() <= now.getTime()) {
    throw new StsError('ExpiredTokenException', 'Token expired: current date/time is after the token\'s expiry.', `API key ${jti} expired`);
  }
  return record;
}
