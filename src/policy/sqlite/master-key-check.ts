/**
 * Remembering which master key a database was created with: a known value
 * sealed under it, kept in `meta`. Opening with another key then fails at
 * once with a clear error, instead of every key lookup failing later.
 */
import type { Database } from 'better-sqlite3';
import type { SecretBox } from '../../auth/secret-box.ts';
import { MasterKeyMismatchError } from '../sql/errors.ts';

const CHECK_NAME = 'master_key_check';
const CHECK_PLAINTEXT = 'sluice-master-key-check';

export async function verifyMasterKey(db: Database, box: SecretBox, path: string): Promise<void> {
  const read = () => (db.prepare('SELECT value FROM meta WHERE name = ?').get(CHECK_NAME) as { value: string } | undefined)?.value;
  let sealed = read();
  if (sealed === undefined) {
    // Another process may create the check at the same moment: the first one stored wins, and both verify it.
    db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(CHECK_NAME, await box.seal(CHECK_PLAINTEXT, CHECK_NAME));
    sealed = read()!;
  }
  let opened: string | undefined;
  try {
    opened = await box.open(sealed, CHECK_NAME);
  } catch {
    opened = undefined;
  }
  if (opened !== CHECK_PLAINTEXT) throw new MasterKeyMismatchError(path);
}
