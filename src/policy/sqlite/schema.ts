/**
 * The SQLite policy database's schema and its migrations. `PRAGMA
 * user_version` records how far a database has been migrated; opening runs
 * the missing steps in one write transaction, so two processes opening a
 * fresh file at once cannot both migrate it.
 */
import type { Database } from 'better-sqlite3';
import { SchemaVersionError } from '../sql/errors.ts';
import { SQLITE_MIGRATIONS } from '../sql/sqlite-migrations.ts';

export const SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the database up to `SCHEMA_VERSION`; refuses one written by a newer version. */
export function migrate(db: Database, path: string): void {
  const check = (version: number) => {
    if (version > SCHEMA_VERSION) throw new SchemaVersionError(path, version, SCHEMA_VERSION);
  };
  const current = userVersion(db);
  check(current);
  if (current === SCHEMA_VERSION) return;
  // IMMEDIATE takes the write lock first; the version is read again under it.
  db.transaction(() => {
    const from = userVersion(db);
    check(from);
    for (let version = from; version < SCHEMA_VERSION; version++) {
      db.exec(SQLITE_MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}
