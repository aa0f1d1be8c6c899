/**
 * Secrets Sluice uses toward others, kept in a writable policy store and
 * sealed under the master key there: the issuer's signing keys (with their
 * place in a rotation) and static keys for connections. The plaintext leaves
 * the store only through these calls; it is never logged.
 */
import type { IssuerAlgorithm } from '../oidc/issuer/issuer-keys.ts';

/**
 * `next`: published, not yet signing (relying parties learn it before it is
 * used); `active`: signs; `previous`: published until tokens it signed have
 * expired; `retired`: kept for the record, neither published nor used.
 */
export type IssuerKeyStatus = 'next' | 'active' | 'previous' | 'retired';

export interface StoredIssuerKey {
  kid: string;
  alg: IssuerAlgorithm;
  status: IssuerKeyStatus;
  createdAt: Date;
  /** PKCS#8 PEM, opened from its sealed form. */
  privateKeyPem: string;
}

export interface StoredConnectionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface OutboundSecretStore {
  /** Every issuer key not retired, oldest first. */
  issuerKeys(): Promise<StoredIssuerKey[]>;
  /** Every issuer key, retired ones included, without private keys. */
  listIssuerKeys(): Promise<Omit<StoredIssuerKey, 'privateKeyPem'>[]>;
  addIssuerKey(key: StoredIssuerKey): Promise<void>;
  /** Applies every status change at once, or none. */
  setIssuerKeyStatuses(changes: readonly { kid: string; status: IssuerKeyStatus }[]): Promise<void>;
  connectionCredentials(connection: string): Promise<StoredConnectionCredentials | null>;
  setConnectionCredentials(connection: string, credentials: StoredConnectionCredentials): Promise<void>;
}
