import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateIssuerKey } from '../../oidc/issuer/issuer-keys.ts';
import { OutboundSecretUnreadableError } from '../sql/errors.ts';
import { tempSqliteStore } from './test-support.ts';

async function filesInDir(dir: string): Promise<string> {
  const names = await readdir(dir);
  return (await Promise.all(names.map((name) => readFile(join(dir, name))))).map((b) => b.toString('latin1')).join('\n');
}

describe('outbound secrets in the SQLite store', () => {
  it('seals issuer keys and connection keys: nothing secret on disk, everything back on reopen', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    const { key, pem } = await generateIssuerKey('ES256');
    await temp.store.outbound.addIssuerKey({ kid: key.kid, alg: 'ES256', status: 'active', createdAt: new Date(0), privateKeyPem: pem });
    const secret = 'ConnectionSecretThatMustNotAppearOnDisk1';
    await temp.store.outbound.setConnectionCredentials('remote', { accessKeyId: 'AKIAREMOTEEXAMPLE000', secretAccessKey: secret, sessionToken: 'SessionTokenNotOnDisk' });
    await temp.store.close();
    const bytes = await filesInDir(temp.dir);
    assert.ok(bytes.includes(key.kid) && bytes.includes('AKIAREMOTEEXAMPLE000'), 'the right bytes were read');
    const pemBody = pem.split('\n')[1]!;
    for (const plain of [pemBody, secret, 'SessionTokenNotOnDisk']) assert.equal(bytes.includes(plain), false);

    const reopened = await temp.reopen();
    assert.deepEqual((await reopened.outbound.issuerKeys()).map((k) => [k.kid, k.privateKeyPem]), [[key.kid, pem]]);
    assert.deepEqual(await reopened.outbound.connectionCredentials('remote'), {
      accessKeyId: 'AKIAREMOTEEXAMPLE000', secretAccessKey: secret, sessionToken: 'SessionTokenNotOnDisk',
    });
    assert.equal(await reopened.outbound.connectionCredentials('other'), null);
  });

  it('refuses to open secrets under another master key, naming only the record', async (t) => {
    const temp = await tempSqliteStore();
    t.after(temp.cleanup);
    await temp.store.outbound.setConnectionCredentials('remote', { accessKeyId: 'AKIA1', secretAccessKey: 's' });
    // Swap the ciphertext into another row: it is bound to its own.
    await temp.store.outbound.setConnectionCredentials('other', { accessKeyId: 'AKIA1', secretAccessKey: 't' });
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(temp.path);
    raw.prepare(`UPDATE connection_credentials SET secret_ciphertext = (SELECT secret_ciphertext FROM connection_credentials WHERE connection = 'remote') WHERE connection = 'other'`).run();
    raw.close();
    await assert.rejects(temp.store.outbound.connectionCredentials('other'), (error: unknown) =>
      error instanceof OutboundSecretUnreadableError && error.message.includes('connection other') && !error.message.includes('AKIA1'));
  });
});
