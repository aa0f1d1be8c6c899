/**
 * Several buckets on one fs connection, each a folder under the root: a link
 * in one bucket's folder must not reach another bucket's objects, whether it
 * is relative or absolute, to a file or to a folder, for reads, listings,
 * writes and deletes.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyOutsideScopeError, ObjectNotFoundError } from '../../core/backend-errors.ts';
import type { Backend } from '../../core/backend.ts';
import { bytesBody, readAll } from '../../core/body.ts';
import { scopeBackend } from '../../core/scoped-backend.ts';
import { FsBackend } from './fs-backend.ts';

const text = async (backend: Backend, key: string) => new TextDecoder().decode(await readAll((await backend.get(key)).body));
const put = (backend: Backend, key: string, content: string) => backend.put(key, bytesBody(content), { metadata: {} });
const listKeys = async (backend: Backend, prefix = '') => (await backend.list({ prefix, maxKeys: 1000 })).objects.map((o) => o.key);

async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

/** `example/` (public) and `private/` on one root, with links from the public folder into the private one. */
async function twoBuckets(t: TestContext) {
  const root = await mkdtemp(join(tmpdir(), 'sluice-fs-buckets-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'private/dir'), { recursive: true });
  await writeFile(join(root, 'private/secret.txt'), 'private');
  await writeFile(join(root, 'private/dir/inner.txt'), 'private too');
  await mkdir(join(root, 'example/sub'), { recursive: true });
  await writeFile(join(root, 'example/public.txt'), 'public');
  await writeFile(join(root, 'example/sub/ok.txt'), 'ok');
  await symlink('../private', join(root, 'example/rel-dir'));
  await symlink(join(root, 'private'), join(root, 'example/abs-dir'));
  await symlink('../private/secret.txt', join(root, 'example/rel-file.txt'));
  await symlink(join(root, 'private/secret.txt'), join(root, 'example/abs-file.txt'));
  await symlink('../../private/dir', join(root, 'example/sub/deep-dir'));
  await symlink('../private/not-yet', join(root, 'example/dangling'));
  // Links that stay inside the bucket's own folder are still followed.
  await symlink('sub', join(root, 'example/alias'));
  await symlink('public.txt', join(root, 'example/alias.txt'));
  const connection = new FsBackend({ root, readOnly: false });
  return { root, connection, example: scopeBackend(connection, 'example/'), priv: scopeBackend(connection, 'private/') };
}

const ESCAPING = ['rel-dir/secret.txt', 'abs-dir/secret.txt', 'rel-dir/dir/inner.txt', 'sub/deep-dir/inner.txt', 'rel-file.txt', 'abs-file.txt'];

test('reads through a link into another bucket find nothing', async (t) => {
  const { example, priv } = await twoBuckets(t);
  for (const key of ESCAPING) {
    await assert.rejects(example.get(key), ObjectNotFoundError, `get ${key}`);
    await assert.rejects(example.head(key), ObjectNotFoundError, `head ${key}`);
  }
  assert.equal(await text(example, 'alias/ok.txt'), 'ok');
  assert.equal(await text(example, 'alias.txt'), 'public');
  assert.equal(await text(priv, 'secret.txt'), 'private', 'the other bucket itself is unaffected');
});

test('listings of a bucket omit links into another bucket', async (t) => {
  const { example } = await twoBuckets(t);
  assert.deepEqual(await listKeys(example), ['alias.txt', 'alias/ok.txt', 'public.txt', 'sub/ok.txt']);
  const grouped = await example.list({ prefix: '', delimiter: '/', maxKeys: 1000 });
  assert.deepEqual(grouped.commonPrefixes, ['alias/', 'sub/']);
  for (const prefix of ['rel-dir/', 'abs-dir/', 'rel-dir/dir/', 'sub/deep-dir/', 'rel', 'abs']) {
    assert.deepEqual(await listKeys(example, prefix), [], prefix);
  }
});

test('writes and deletes through a link never touch another bucket', async (t) => {
  const { root, example, priv } = await twoBuckets(t);
  const before = await tree(join(root, 'private'));
  for (const key of ['rel-dir/new', 'abs-dir/new', 'rel-dir/dir/new', 'sub/deep-dir/new', 'rel-dir/fresh/new', 'dangling/new']) {
    await assert.rejects(put(example, key, 'planted'), KeyOutsideScopeError, key);
  }
  for (const key of ESCAPING) await example.delete(key);
  assert.deepEqual(await tree(join(root, 'private')), before);
  assert.equal(await readFile(join(root, 'private/secret.txt'), 'utf8'), 'private');
  assert.equal(await text(priv, 'dir/inner.txt'), 'private too');
  // A put to a file link's own key replaces the link within the bucket, never the file it pointed to.
  await put(example, 'rel-file.txt', 'replaced in the bucket');
  assert.equal(await text(example, 'rel-file.txt'), 'replaced in the bucket');
  assert.equal(await readFile(join(root, 'private/secret.txt'), 'utf8'), 'private');
});

test('a bucket whose folder does not exist yet can be written, and its folder is created', async (t) => {
  const { root, connection } = await twoBuckets(t);
  const fresh = scopeBackend(connection, 'fresh/nested/');
  await assert.rejects(fresh.get('a/b'), ObjectNotFoundError);
  assert.deepEqual(await listKeys(fresh), []);
  await put(fresh, 'a/b', 'new');
  assert.equal(await text(fresh, 'a/b'), 'new');
  assert.equal(await readFile(join(root, 'fresh/nested/a/b'), 'utf8'), 'new');
});

test('a bucket folder reached through a link at the connection level is followed, but not out of the root', async (t) => {
  const { root, connection } = await twoBuckets(t);
  await symlink('example', join(root, 'current'));
  const current = scopeBackend(connection, 'current/');
  assert.equal(await text(current, 'public.txt'), 'public');
  await assert.rejects(current.get('rel-dir/secret.txt'), ObjectNotFoundError);
  const outside = await mkdtemp(join(tmpdir(), 'sluice-fs-outside-'));
  t.after(() => rm(outside, { recursive: true, force: true }));
  await writeFile(join(outside, 'x'), 'outside the root');
  await symlink(outside, join(root, 'elsewhere'));
  const elsewhere = scopeBackend(connection, 'elsewhere/');
  await assert.rejects(elsewhere.get('x'), ObjectNotFoundError);
  assert.deepEqual(await listKeys(elsewhere), []);
  await assert.rejects(put(elsewhere, 'y', 'planted'), KeyOutsideScopeError);
  assert.deepEqual(await readdir(outside), ['x']);
});

test('a prefix not ending in "/" is contained by the folder it names a part of', async (t) => {
  const { root, connection } = await twoBuckets(t);
  await mkdir(join(root, 'shared'));
  await writeFile(join(root, 'shared/pre-own.txt'), 'own');
  await symlink('../private', join(root, 'shared/pre-link'));
  await symlink('pre-own.txt', join(root, 'shared/pre-alias.txt'));
  const partial = scopeBackend(connection, 'shared/pre-');
  assert.equal(await text(partial, 'alias.txt'), 'own');
  await assert.rejects(partial.get('link/secret.txt'), ObjectNotFoundError);
  assert.deepEqual(await listKeys(partial), ['alias.txt', 'own.txt']);
});
