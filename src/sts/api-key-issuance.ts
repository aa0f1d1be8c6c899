/**
 * Creating an API key: the token is signed by the issuer's active key and
 * its record (never the token) stored, so the key can be listed and revoked.
 * The command line and the management API both create keys through here.
 */
import { type ApiKeySigner, mintApiKeyToken } from '../oidc/issuer/api-key-token.ts';
import type { ApiKeyRecord, ApiKeyStore } from '../policy/api-key-store.ts';
import { parseRoleRef, roleUrn } from './role-ref.ts';

export interface NewApiKey {
  account: string;
  /** A role URN of the same account; the key may assume only that role. */
  role?: string;
  label: string;
  expiresAt?: Date;
}

export const API_KEY_LABEL_MAX = 200;

/** Every problem with a new key's fields (empty when it may be created). */
export function apiKeyInputProblems(input: NewApiKey, now: Date): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (input.role !== undefined) {
    const ref = parseRoleRef(input.role);
    if (!ref) problems.push({ field: 'role', message: 'must be a role URN: account::role/name' });
    else if (ref.account !== input.account) problems.push({ field: 'role', message: `must be a role of the account ${input.account}` });
  }
  if (input.label.length > API_KEY_LABEL_MAX) problems.push({ field: 'label', message: `must be at most ${API_KEY_LABEL_MAX} characters` });
  if (input.expiresAt !== undefined && input.expiresAt.getTime() <= now.getTime()) problems.push({ field: 'expiresAt', message: 'must be in the future' });
  return problems;
}

/** Mints the token and stores its record; the token is returned once, here. */
export async function issueApiKey(store: Pick<ApiKeyStore, 'addApiKey'>, signer: ApiKeySigner, input: NewApiKey): Promise<{ token: string; record: ApiKeyRecord }> {
  const problems = apiKeyInputProblems(input, signer.now());
  if (problems.length > 0) throw new TypeError(problems.map((p) => `${p.field} ${p.message}`).join('; '));
  const role = input.role === undefined ? undefined : roleUrn(parseRoleRef(input.role)!);
  const minted = await mintApiKeyToken(signer, { account: input.account, ...(role !== undefined && { role }), ...(input.expiresAt && { expiresAt: input.expiresAt }) });
  // `exp` has whole seconds: the record says the same time as the token.
  const expiresAt = input.expiresAt && new Date(Math.floor(input.expiresAt.getTime() / 1000) * 1000);
  const record: ApiKeyRecord = {
    jti: minted.jti,
    account: input.account,
    ...(role !== undefined && { role }),
    label: input.label,
    createdAt: minted.issuedAt,
    ...(expiresAt && { expiresAt }),
  };
  // A token whose record was never stored is refused at exchange, so a failure here leaves nothing usable.
  await store.addApiKey(record);
  return { token: minted.token, record };
}

export function apiKeyToJson(record: ApiKeyRecord, now: Date): Record<string, unknown> {
  const status = record.revokedAt ? 'revoked' : record.expiresAt && record.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
  return {
    jti: record.jti,
    account: record.account,
    role: record.role ?? null,
    label: record.label,
    status,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}
