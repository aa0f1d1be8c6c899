/**
 * API key records: what the server remembers of each API key token it
 * signed (never the token itself). The token carries its own claims; the
 * record exists so a key can be listed and revoked by its `jti`, and an
 * exchange refuses a token whose record is missing or revoked.
 */

export interface ApiKeyRecord {
  /** The token's `jti`: 32 hex characters. */
  jti: string;
  /** The account the key acts for (the token's `sub`). */
  account: string;
  /** The role URN the key is bound to, when it is bound to one. */
  role?: string;
  /** What the key is for, shown in listings. */
  label: string;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
}

/** The API-key half of a writable policy store. */
export interface ApiKeyStore {
  /** Stores a new record; throws when the account is unknown or the `jti` is taken. */
  addApiKey(record: Omit<ApiKeyRecord, 'revokedAt'>): Promise<void>;
  getApiKey(jti: string): Promise<ApiKeyRecord | null>;
  listApiKeys(filter?: { account?: string }): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked (keeping the first revocation time); false when there is no such key. */
  revokeApiKey(jti: string): Promise<boolean>;
}

export const API_KEY_ID = /^[0-9a-f]{32}$/;
