/**
 * Typed failures of the SQL policy stores (SQLite, PostgreSQL), each with a
 * stable code so the CLI and the server can report them without matching on
 * messages.
 */

export class PolicyStoreError extends Error {
  override name = 'PolicyStoreError';
  constructor(readonly code: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A key or grant names an account that neither the store nor the config file defines. */
export class UnknownAccountError extends PolicyStoreError {
  override name = 'UnknownAccountError';
  constructor(readonly account: string) {
    super('UnknownAccount', `no account named "${account}"`);
  }
}

/** Importing an access key whose id is already taken. */
export class DuplicateAccessKeyError extends PolicyStoreError {
  override name = 'DuplicateAccessKeyError';
  constructor(readonly accessKeyId: string) {
    super('DuplicateAccessKey', `access key ${accessKeyId} already exists`);
  }
}

/** Storing an API key record whose id (the token's `jti`) is already taken. */
export class DuplicateApiKeyError extends PolicyStoreError {
  override name = 'DuplicateApiKeyError';
  constructor(readonly jti: string) {
    super('DuplicateApiKey', `API key ${jti} already exists`);
  }
}

/** The master key given is not the one the database's secrets were sealed with. */
export class MasterKeyMismatchError extends PolicyStoreError {
  override name = 'MasterKeyMismatchError';
  constructor(path: string) {
    super('MasterKeyMismatch', `the master key does not match the one ${path} was created with; stored secrets cannot be read`);
  }
}

/**
 * A stored secret that will not decrypt (another master key, a damaged or
 * moved row). Lookups fail closed with this instead of reporting "no key".
 */
export class SecretUnreadableError extends PolicyStoreError {
  override name = 'SecretUnreadableError';
  constructor(readonly accessKeyId: string, cause: unknown) {
    super('SecretUnreadable', `the stored secret of access key ${accessKeyId} cannot be decrypted (wrong master key or damaged record)`, { cause });
  }
}

/** The database was written by a newer Sluice, or is not a policy database at all. */
export class SchemaVersionError extends PolicyStoreError {
  override name = 'SchemaVersionError';
  constructor(path: string, found: number, supported: number) {
    super('SchemaVersion', `${path} has schema version ${found}; this Sluice supports up to ${supported}`);
  }
}

/** A stored value that does not parse back (edited by hand, or corrupted). */
export class CorruptRecordError extends PolicyStoreError {
  override name = 'CorruptRecordError';
  constructor(what: string, detail: string) {
    super('CorruptRecord', `${what}: ${detail}`);
  }
}

/** An outbound secret (issuer key, connection key) that cannot be decrypted; names the record, never its content. */
export class OutboundSecretUnreadableError extends PolicyStoreError {
  override name = 'OutboundSecretUnreadableError';
  constructor(readonly record: string, cause: unknown) {
    super('SecretUnreadable', `the stored secret of ${record} cannot be decrypted (wrong master key or damaged record)`, { cause });
  }
}
