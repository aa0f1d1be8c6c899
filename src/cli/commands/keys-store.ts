/**
 * What the `sluice keys` subcommands share: loading the configuration and
 * opening the database policy store it names (SQLite or PostgreSQL), with
 * failures turned into one
 * clear message each (no store configured, no or bad master key, a master
 * key that does not match the database, a file that cannot be opened).
 */
import { existsSync } from 'node:fs';
import { parseMasterKey } from '../../auth/secret-box.ts';
import type { SluiceConfig } from '../../core/config.ts';
import type { AccessKeySummary, WritablePolicyStore } from '../../policy/store.ts';
import { loadConfig } from '../load-config.ts';

/** What the subcommands use of a store; the SQLite and PostgreSQL stores both are one. */
export interface ManagedKeyStore extends WritablePolicyStore {
  getAccessKeySummary(accessKeyId: string): Promise<AccessKeySummary | null>;
}

/** A problem the user fixes in the configuration or environment: printed, exit 1. */
export class KeysSetupError extends Error {
  override name = 'KeysSetupError';
}

export interface KeysDependencies {
  loadConfig(file: string): Promise<SluiceConfig>;
  /**
   * The configured database store. With `create: false`, a SQLite file that
   * does not exist yet yields null instead of being created.
   */
  openStore(config: SluiceConfig, file: string, options: { create: boolean }): Promise<ManagedKeyStore | null>;
  now(): Date;
}

export async function openConfiguredStore(config: SluiceConfig, file: string, options: { create: boolean }): Promise<ManagedKeyStore | null> {
  const path = config.policy?.sqlitePath;
  const postgresUrl = config.policy?.postgresUrl;
  if (path === undefined && postgresUrl === undefined) {
    throw new KeysSetupError(`${file} has no policy.sqlitePath or policy.postgresUrl: access keys are managed in a database policy store (set one of them and policy.masterKey)`);
  }
  const masterKeyText = config.policy?.masterKey;
  if (masterKeyText === undefined) {
    throw new KeysSetupError(`${file} has no policy.masterKey: it encrypts stored secrets (e.g. masterKey: \${env:SLUICE_MASTER_KEY} with the output of \`openssl rand -base64 32\`)`);
  }
  let masterKey: Uint8Array;
  try {
    masterKey = parseMasterKey(masterKeyText);
  } catch (error) {
    throw new KeysSetupError(`policy.masterKey: ${(error as Error).message}`);
  }
  const fileAccounts = new Set((config.accounts ?? []).map((a) => a.name));
  const accountExists = (name: string) => fileAccounts.has(name);
  const { PolicyStoreError } = await import('../../policy/sql/errors.ts');
  if (path === undefined) {
    const { PostgresPolicyStore } = await import('../../policy/postgres/postgres-store.ts');
    try {
      // A command needs no change feed; a short connect timeout keeps a wrong URL from hanging it.
      return await PostgresPolicyStore.open(postgresUrl!, { masterKey, accountExists, listen: false, maxConnections: 2 });
    } catch (error) {
      if (error instanceof PolicyStoreError) throw new KeysSetupError(error.message);
      // pg's messages name host and port, never the password.
      throw new KeysSetupError(`cannot use the PostgreSQL policy database: ${(error as Error).message}`);
    }
  }
  if (!options.create && !existsSync(path)) return null;
  // Loaded on demand, so other commands do not load the native SQLite module.
  const { SqlitePolicyStore } = await import('../../policy/sqlite/sqlite-store.ts');
  try {
    return await SqlitePolicyStore.open(path, { masterKey, accountExists });
  } catch (error) {
    if (error instanceof PolicyStoreError) throw new KeysSetupError(error.message);
    if ((error as { code?: string }).code?.startsWith('SQLITE_')) {
      throw new KeysSetupError(`cannot open the SQLite database ${path}: ${(error as Error).message}`);
    }
    throw error;
  }
}

export const defaultKeysDependencies: KeysDependencies = {
  loadConfig,
  openStore: openConfiguredStore,
  now: () => new Date(),
};

/** Runs `use` with the store open, closing it afterwards whatever happens. */
export async function withStore<T>(
  deps: KeysDependencies,
  config: SluiceConfig,
  file: string,
  options: { create: boolean },
  use: (store: ManagedKeyStore | null) => Promise<T>,
): Promise<T> {
  const store = await deps.openStore(config, file, options);
  try {
    return await use(store);
  } finally {
    await store?.close();
  }
}
