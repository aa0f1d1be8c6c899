/**
 * The SQLite policy schema's migration steps as SQL text, shared by the
 * SQLite store (better-sqlite3, `PRAGMA user_version`) and the D1 store
 * (the Workers binding, `d1_schema`). Statements are separated by `;` and
 * contain none themselves, so a step can also be run statement by statement.
 */

/**
 * Migration `i` takes a database from version `i` to `i + 1`. Append only:
 * released steps never change, a later version adds a step.
 *
 * Times are ISO 8601 text (`Date#toISOString`): exact to the millisecond,
 * ordered as text, readable in the sqlite3 shell. Buckets without an owner
 * store the account as '' so (account, name) can be the primary key.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE grants (
    account TEXT NOT NULL,
    bucket TEXT NOT NULL,
    actions TEXT NOT NULL,
    prefixes TEXT,
    PRIMARY KEY (account, bucket)
  ) STRICT;

  CREATE TABLE buckets (
    account TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    connection TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    public INTEGER NOT NULL CHECK (public IN (0, 1)),
    read_only INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    region TEXT,
    PRIMARY KEY (account, name)
  ) STRICT;
  CREATE INDEX buckets_by_name ON buckets (name);

  CREATE TABLE access_keys (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    label TEXT NOT NULL,
    secret_ciphertext TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT,
    ceiling TEXT
  ) STRICT;
  CREATE INDEX access_keys_by_account ON access_keys (account);
  `,
  // Roles managed at run time (their definitions as written, checked again on every read), and revoked sessions.
  `
  CREATE TABLE roles (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, name)
  ) STRICT;

  CREATE TABLE session_revocations (
    kind TEXT NOT NULL CHECK (kind IN ('access-key', 'role', 'account')),
    value TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX session_revocations_by_expiry ON session_revocations (expires_at);
  `,
  // Outbound secrets: the issuer's signing keys with their place in a rotation, and connections' static keys.
  // Private keys and secrets are sealed with the master key, bound to their row.
  `
  CREATE TABLE issuer_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL CHECK (alg IN ('RS256', 'ES256')),
    status TEXT NOT NULL CHECK (status IN ('next', 'active', 'previous', 'retired')),
    private_key_ciphertext TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX issuer_keys_one_active ON issuer_keys (status) WHERE status = 'active';

  CREATE TABLE connection_credentials (
    connection TEXT PRIMARY KEY,
    access_key_id TEXT NOT NULL,
    secret_ciphertext TEXT NOT NULL,
    session_token_ciphertext TEXT,
    updated_at TEXT NOT NULL
  ) STRICT;
  `,
  // API key records: the tokens themselves are never stored, only what listing and revocation need.
  `
  CREATE TABLE api_keys (
    jti TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    role TEXT,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
  ) STRICT;
  CREATE INDEX api_keys_by_account ON api_keys (account);
  `,
  // Buckets clients create: which accounts may (and where their buckets go), and which buckets were made that way.
  // create_buckets is JSON { connection, prefix } with the prefix a template; created_at marks a client-created bucket.
  `
  ALTER TABLE accounts ADD COLUMN create_buckets TEXT;
  ALTER TABLE buckets ADD COLUMN created_at TEXT;
  `,
  // Identity providers an account registered itself: id and issuer each unique within the account.
  `
  CREATE TABLE identity_providers (
    account TEXT NOT NULL,
    id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    audiences TEXT NOT NULL,
    claims TEXT NOT NULL,
    local INTEGER NOT NULL CHECK (local IN (0, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (account, id),
    UNIQUE (account, issuer)
  ) STRICT;
  `,
  // Session keys by version: an HMAC secret and an ES256 signing key, both sealed; the newest version is active.
  `
  CREATE TABLE session_keys (
    version INTEGER PRIMARY KEY CHECK (version BETWEEN 1 AND 9),
    kid TEXT NOT NULL UNIQUE,
    hmac_secret_ciphertext TEXT NOT NULL,
    private_key_ciphertext TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;
  `,
];
