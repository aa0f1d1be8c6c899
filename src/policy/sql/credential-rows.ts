/**
 * Rows of API key records and account-registered identity providers ↔ the
 * records the stores hand out, in the SQLite shape (times as ISO text, flags
 * as 0/1, lists as JSON text); the PostgreSQL store converts its rows to
 * this shape first. A row that does not read back is a `CorruptRecordError`,
 * never a half-read record.
 */
import type { AccountIdentityProvider } from '../../oidc/account-providers.ts';
import { CLAIM_PROFILES, type ClaimProfile } from '../../oidc/provider-config.ts';
import type { ApiKeyRecord } from '../api-key-store.ts';
import { CorruptRecordError } from './errors.ts';
import { dateFrom, parseJson } from './rows.ts';

export interface ApiKeyRow {
  jti: string;
  account: string;
  role: string | null;
  label: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface IdentityProviderRow {
  account: string;
  id: string;
  issuer: string;
  audiences: string;
  claims: string;
  local: number;
  created_at: string;
}

export function apiKeyFromRow(row: ApiKeyRow): ApiKeyRecord {
  const what = `API key ${row.jti}`;
  const expiresAt = dateFrom(row.expires_at, what);
  const revokedAt = dateFrom(row.revoked_at, what);
  return {
    jti: row.jti,
    account: row.account,
    ...(row.role !== null && { role: row.role }),
    label: row.label,
    createdAt: dateFrom(row.created_at, what)!,
    ...(expiresAt && { expiresAt }),
    ...(revokedAt && { revokedAt }),
  };
}

export function identityProviderFromRow(row: IdentityProviderRow): AccountIdentityProvider {
  const what = `identity provider ${row.id} of ${row.account}`;
  const audiences = parseJson(row.audiences, what);
  if (!Array.isArray(audiences) || !audiences.every((a) => typeof a === 'string')) throw new CorruptRecordError(what, 'audiences are not a list of strings');
  if (!(CLAIM_PROFILES as readonly string[]).includes(row.claims)) throw new CorruptRecordError(what, `unknown claim profile ${JSON.stringify(row.claims)}`);
  return {
    account: row.account,
    id: row.id,
    issuer: row.issuer,
    audiences: audiences as string[],
    claims: row.claims as ClaimProfile,
    local: row.local === 1,
    createdAt: dateFrom(row.created_at, what)!,
  };
}

