/**
 * Long-lived access keys as authentication sees them: the record, whether it
 * may be used now, and the lookup a credential store provides. Policy stores
 * implement the lookup; authentication never depends on a store.
 */
import type { PermissionStatement } from '../core/identity.ts';

export type KeyStatus = 'active' | 'disabled';

/** What the gateway needs to authenticate a long-lived access key. */
export interface AccessKeyRecord {
  accessKeyId: string;
  account: string;
  label: string;
  /** The plaintext secret: SigV4 needs it to recompute signatures. Never logged. */
  secretAccessKey: string;
  status: KeyStatus;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
  /** An upper bound on what the key may do, within its account's grants. */
  ceiling?: PermissionStatement[];
}

export interface AccessKeyLookup {
  /** The key, or null when no such key exists (revoked and expired keys are returned, to be refused). */
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null>;
}

/** Whether a key may be used now; the reason when not. */
export function keyUsability(record: AccessKeyRecord, now: Date): 'usable' | 'revoked' | 'disabled' | 'expired' {
  if (record.revokedAt !== undefined) return 'revoked';
  if (record.status === 'disabled') return 'disabled';
  if (record.expiresAt !== undefined && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'usable';
}
