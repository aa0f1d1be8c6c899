/**
 * The PostgreSQL policy database's schema and its migrations. Unlike the
 * SQLite file, a shared database is never migrated by a server starting up:
 * `sluice db migrate` applies the missing steps, and a server checks the
 * version and refuses to run on a database that is behind or ahead of it.
 */
import type pg from 'pg';
import { PolicyStoreError, SchemaVersionError } from '../sql/errors.ts';

/** The channel the triggers below notify on; the payload is a `PolicyChange` as JSON. */
export const CHANGE_CHANNEL = 'sluice_policy';

/**
 * Migration `i` takes a database from version `i` to `i + 1`. Append only:
 * released steps never change, a later version adds a step.
 *
 * Rows carry a `seq` so listings keep insertion order (SQLite's rowid). The
 * triggers announce every committed change on `CHANGE_CHANNEL`, whoever made
 * it (a server, `sluice keys`, or SQL by hand), so every instance drops the
 * cached entries at once; NOTIFY is delivered only at commit.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sluice_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL
  );

  CREATE TABLE grants (
    seq BIGSERIAL UNIQUE,
    account TEXT NOT NULL,
    bucket TEXT NOT NULL,
    actions TEXT NOT NULL,
    prefixes TEXT,
    PRIMARY KEY (account, bucket)
  );

  CREATE TABLE buckets (
    seq BIGSERIAL UNIQUE,
    account TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    connection TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    public BOOLEAN NOT NULL,
    read_only BOOLEAN NOT NULL,
    region TEXT,
    PRIMARY KEY (account, name)
  );
  CREATE INDEX buckets_by_name ON buckets (name);

  CREATE TABLE access_keys (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    label TEXT NOT NULL,
    secret_ciphertext TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    ceiling TEXT
  );
  CREATE INDEX access_keys_by_account ON access_keys (account);

  CREATE FUNCTION sluice_notify_key() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    -- "Last used" is bookkeeping, not policy: no need to drop caches for it.
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NULL; END IF;
    IF TG_OP = 'UPDATE' AND (NEW.last_used_at IS DISTINCT FROM OLD.last_used_at)
       AND (NEW.status, NEW.revoked_at, NEW.expires_at, NEW.ceiling, NEW.account, NEW.secret_ciphertext)
           IS NOT DISTINCT FROM (OLD.status, OLD.revoked_at, OLD.expires_at, OLD.ceiling, OLD.account, OLD.secret_ciphertext)
    THEN RETURN NULL; END IF;
    PERFORM pg_notify('sluice_policy', json_build_object('kind', 'access-key', 'accessKeyId',
      CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
    RETURN NULL;
  END $$;
  CREATE TRIGGER access_keys_changed AFTER INSERT OR UPDATE OR DELETE ON access_keys
    FOR EACH ROW EXECUTE FUNCTION sluice_notify_key();

  CREATE FUNCTION sluice_notify_grants() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('sluice_policy', json_build_object('kind', 'grants', 'account',
      CASE WHEN TG_OP = 'DELETE' THEN OLD.account ELSE NEW.account END)::text);
    IF TG_OP = 'UPDATE' AND NEW.account <> OLD.account THEN
      PERFORM pg_notify('sluice_policy', json_build_object('kind', 'grants', 'account', OLD.account)::text);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER grants_changed AFTER INSERT OR UPDATE OR DELETE ON grants
    FOR EACH ROW EXECUTE FUNCTION sluice_notify_grants();

  CREATE FUNCTION sluice_notify_buckets() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('sluice_policy', json_build_object('kind', 'buckets')::text);
    RETURN NULL;
  END $$;
  CREATE TRIGGER buckets_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buckets
    FOR EACH STATEMENT EXECUTE FUNCTION sluice_notify_buckets();
  `,
  // Buckets clients create: which accounts may (JSON { connection, prefix }, the prefix a template), and which
  // buckets were made that way (created_at set). The buckets trigger above announces their changes.
  `
  ALTER TABLE accounts ADD COLUMN create_buckets TEXT;
  ALTER TABLE buckets ADD COLUMN created_at TIMESTAMPTZ;
  `,
  // Roles managed at run time, revoked sessions, and outbound secrets (the issuer's signing keys with their place
  // in a rotation, connections' static keys; sealed with the master key, bound to their row), as in SQLite's steps 2 and 3.
  // A role change and a revocation are announced like the rest, so every instance applies a revocation at once.
  `
  CREATE TABLE roles (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account, name)
  );

  CREATE TABLE session_revocations (
    seq BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access-key', 'role', 'account')),
    value TEXT NOT NULL,
    revoked_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX session_revocations_by_expiry ON session_revocations (expires_at);

  CREATE TABLE issuer_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL CHECK (alg IN ('RS256', 'ES256')),
    status TEXT NOT NULL CHECK (status IN ('next', 'active', 'previous', 'retired')),
    private_key_ciphertext TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE UNIQUE INDEX issuer_keys_one_active ON issuer_keys (status) WHERE status = 'active';

  CREATE TABLE connection_credentials (
    connection TEXT PRIMARY KEY,
    access_key_id TEXT NOT NULL,
    secret_ciphertext TEXT NOT NULL,
    session_token_ciphertext TEXT,
    updated_at TIMESTAMPTZ NOT NULL
  );

  CREATE FUNCTION sluice_notify_roles() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('sluice_policy', json_build_object('kind', 'role',
      'account', CASE WHEN TG_OP = 'DELETE' THEN OLD.account ELSE NEW.account END,
      'name', CASE WHEN TG_OP = 'DELETE' THEN OLD.name ELSE NEW.name END)::text);
    IF TG_OP = 'UPDATE' AND (NEW.account, NEW.name) IS DISTINCT FROM (OLD.account, OLD.name) THEN
      PERFORM pg_notify('sluice_policy', json_build_object('kind', 'role', 'account', OLD.account, 'name', OLD.name)::text);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER roles_changed AFTER INSERT OR UPDATE OR DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION sluice_notify_roles();

  -- One list, cached whole: any change to it is one announcement per statement.
  CREATE FUNCTION sluice_notify_session_revocations() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('sluice_policy', json_build_object('kind', 'session-revocations')::text);
    RETURN NULL;
  END $$;
  CREATE TRIGGER session_revocations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON session_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION sluice_notify_session_revocations();
  `,
  // Session keys by version, as in SQLite's step 7; a new version is announced so servers pick it up at once.
  `
  CREATE TABLE session_keys (
    version INTEGER PRIMARY KEY CHECK (version BETWEEN 1 AND 9),
    kid TEXT NOT NULL UNIQUE,
    hmac_secret_ciphertext TEXT NOT NULL,
    private_key_ciphertext TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
  );

  CREATE FUNCTION sluice_notify_session_keys() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('sluice_policy', json_build_object('kind', 'session-keys')::text);
    RETURN NULL;
  END $$;
  CREATE TRIGGER session_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON session_keys
    FOR EACH STATEMENT EXECUTE FUNCTION sluice_notify_session_keys();
  `,
  // API key records (never the tokens) and the identity providers accounts register, as in SQLite's steps 4 and 6:
  // no foreign key to accounts, whose names may come from the configuration file instead. Each change is announced,
  // so a revoked API key or a removed provider is refused by every instance at once, not after the cache TTL.
  `
  CREATE TABLE api_keys (
    jti TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    role TEXT,
    label TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
  );
  CREATE INDEX api_keys_by_account ON api_keys (account);

  CREATE TABLE identity_providers (
    account TEXT NOT NULL,
    id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    audiences TEXT NOT NULL,
    claims TEXT NOT NULL,
    local BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account, id),
    UNIQUE (account, issuer)
  );

  CREATE FUNCTION sluice_notify_api_key() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NULL; END IF;
    PERFORM pg_notify('sluice_policy', json_build_object('kind', 'api-key', 'jti',
      CASE WHEN TG_OP = 'DELETE' THEN OLD.jti ELSE NEW.jti END)::text);
    IF TG_OP = 'UPDATE' AND NEW.jti <> OLD.jti THEN
      PERFORM pg_notify('sluice_policy', json_build_object('kind', 'api-key', 'jti', OLD.jti)::text);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION sluice_notify_api_key();

  -- Providers are read (and cached) per account: announce the account, and the old one when a row moves.
  CREATE FUNCTION sluice_notify_identity_providers() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NULL; END IF;
    PERFORM pg_notify('sluice_policy', json_build_object('kind', 'identity-providers', 'account',
      CASE WHEN TG_OP = 'DELETE' THEN OLD.account ELSE NEW.account END)::text);
    IF TG_OP = 'UPDATE' AND NEW.account <> OLD.account THEN
      PERFORM pg_notify('sluice_policy', json_build_object('kind', 'identity-providers', 'account', OLD.account)::text);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER identity_providers_changed AFTER INSERT OR UPDATE OR DELETE ON identity_providers
    FOR EACH ROW EXECUTE FUNCTION sluice_notify_identity_providers();
  `,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Any fixed number: the advisory lock that makes concurrent `sluice db migrate` runs take turns. */
const MIGRATION_LOCK = 0x51_1c_e0_01;

/** The database has not been migrated to this Sluice's schema yet. */
export class SchemaNotMigratedError extends PolicyStoreError {
  override name = 'SchemaNotMigratedError';
  constructor(readonly found: number, readonly expected: number) {
    super(
      'SchemaNotMigrated',
      found === 0
        ? 'the PostgreSQL policy database has no Sluice schema yet; run `sluice db migrate --config FILE` first'
        : `the PostgreSQL policy database has schema version ${found}, this Sluice needs ${expected}; run \`sluice db migrate --config FILE\``,
    );
  }
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The version recorded in the database; 0 when it has none (an empty database). */
export async function schemaVersion(db: Queryable): Promise<number> {
  const exists = await db.query<{ present: boolean }>(`SELECT to_regclass('sluice_schema') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return 0;
  const result = await db.query<{ version: number }>('SELECT version FROM sluice_schema');
  return result.rows[0]?.version ?? 0;
}

/** Refuses a database that is not exactly at this Sluice's version. */
export async function checkSchema(db: Queryable, where: string): Promise<void> {
  const found = await schemaVersion(db);
  if (found > POSTGRES_SCHEMA_VERSION) throw new SchemaVersionError(where, found, POSTGRES_SCHEMA_VERSION);
  if (found < POSTGRES_SCHEMA_VERSION) throw new SchemaNotMigratedError(found, POSTGRES_SCHEMA_VERSION);
}

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Applies the missing steps in one transaction, under an advisory lock (the
 * version is read again under it, so two runs at once apply each step once).
 * Refuses a database written by a newer Sluice.
 */
export async function migratePostgres(client: pg.ClientBase, where: string): Promise<MigrationResult> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS sluice_schema (version INTEGER NOT NULL, one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one))');
    await client.query('INSERT INTO sluice_schema (version) VALUES (0) ON CONFLICT DO NOTHING');
    const from = await schemaVersion(client);
    if (from > POSTGRES_SCHEMA_VERSION) throw new SchemaVersionError(where, from, POSTGRES_SCHEMA_VERSION);
    for (let version = from; version < POSTGRES_SCHEMA_VERSION; version++) {
      await client.query(MIGRATIONS[version]!);
      await client.query('UPDATE sluice_schema SET version = $1', [version + 1]);
    }
    await client.query('COMMIT');
    return { from, to: POSTGRES_SCHEMA_VERSION };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
