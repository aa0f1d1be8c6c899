import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { ReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mkdir, mkdtemp, open, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyConflictError, ObjectNotFoundError } from '../../core/backend-errors.ts';
import { toS3Error } from '../../core/errors/to-s3-error.ts';
import { bytesBody, readAll, RuntimeBody } from '../../core/body.ts';
import type { Backend } from '../../core/backend.ts';
import { FsBackend } from './fs-backend.ts';

/** A fresh folder holding `root/` (the backend's root) and room beside it to detect escapes. */
async function sandbox(t: TestContext) {
  const outer = await mkdtemp(join(tmpdir(), 'sluice-fs-'));
  t.after(() => rm(outer, { recursive: true, force: true }));
  const root = join(outer, 'root');
  await mkdir(root);
  return { outer, root };
}

const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;
const text = async (backend: Backend, key: string) => new TextDecoder().decode(await readAll((await backend.get(key)).body));
const put = (backend: Backend, key: string, content: string) => backend.put(key, bytesBody(content), { metadata: {} });
const listKeys = async (backend: Backend, prefix = '') => (await backend.list({ prefix, maxKeys: 1000 })).objects.map((o) => o.key);

/** Every path under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

test('keys with dot segments and encodings stay inside the root', async (t) => {
  const { outer, root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  const cases: [key: string, storedAs: string][] = [
    ['..', '.sluice~Li4'],
    ['../escape', '.sluice~Li4/escape'],
    ['../../escape', '.sluice~Li4/.sluice~Li4/escape'],
    ['a/../../escape', 'a/.sluice~Li4/.sluice~Li4/escape'],
    ['./x', '.sluice~Lg/x'],
    ['.', '.sluice~Lg'],
    ['/..', '.sluice~/.sluice~Li4'],
    ['%2e%2e/escape', '%2e%2e/escape'],
    ['..\\escape', '..\\escape'],
  ];
  for (const [key, storedAs] of cases) {
    await put(backend, key, `content of ${key}`);
    assert.deepEqual(await readdir(outer), ['root'], `nothing was written beside the root for ${key}`);
    assert.equal(await readFile(join(root, storedAs), 'utf8'), `content of ${key}`, key);
    assert.equal(await text(backend, key), `content of ${key}`);
    assert.deepEqual(await listKeys(backend), [key]);
    await backend.delete(key);
    assert.deepEqual(await readdir(root), ['.sluice'], `deleting ${key} leaves nothing`);
  }
  await writeFile(join(outer, 'x'), 'beside the root');
  await rejectsNotFound(backend, '../x');
  await rejectsNotFound(backend, '../root/x');
});

async function rejectsNotFound(backend: Backend, key: string) {
  await assert.rejects(backend.get(key), ObjectNotFoundError);
  await assert.rejects(backend.head(key), ObjectNotFoundError);
}

test('a pre-existing tree is published as it is, without sidecars', async (t) => {
  const { root } = await sandbox(t);
  await mkdir(join(root, 'data/2024'), { recursive: true });
  await writeFile(join(root, 'data/2024/table.csv'), 'a,b\n');
  await writeFile(join(root, 'data/readme.txt'), 'hello');
  await writeFile(join(root, 'data/blob'), 'xyz');
  await writeFile(join(root, 'data/scan.TIF'), 'tiff');
  await writeFile(join(root, 'index.html'), '<p>');
  const backend = new FsBackend({ root, readOnly: true });
  assert.deepEqual(await listKeys(backend), ['data/2024/table.csv', 'data/blob', 'data/readme.txt', 'data/scan.TIF', 'index.html']);
  const head = await backend.head('data/2024/table.csv');
  assert.equal(head.etag, md5('a,b\n'));
  assert.equal(head.contentType, 'text/csv');
  assert.deepEqual(head.metadata, {});
  assert.equal((await backend.head('data/blob')).contentType, 'application/octet-stream');
  assert.equal((await backend.head('data/scan.TIF')).contentType, 'image/tiff');
  assert.equal((await backend.get('index.html')).info.contentType, 'text/html');
  assert.equal(await text(backend, 'data/readme.txt'), 'hello');
  const listed = await backend.list({ prefix: 'data/', delimiter: '/', maxKeys: 10 });
  assert.deepEqual(listed.commonPrefixes, ['data/2024/']);
  assert.deepEqual(listed.objects.map((o) => [o.key, o.etag, o.size]), [
    ['data/blob', md5('xyz'), 3], ['data/readme.txt', md5('hello'), 5], ['data/scan.TIF', md5('tiff'), 4]]);
  assert.deepEqual(await readdir(root), ['data', 'index.html'], 'a read-only backend writes nothing');
});

test('a computed ETag is kept in a sidecar on a writable root and recomputed when the file changes', async (t) => {
  const { root } = await sandbox(t);
  await writeFile(join(root, 'file.txt'), 'one');
  const backend = new FsBackend({ root, readOnly: false });
  assert.equal((await backend.head('file.txt')).etag, md5('one'));
  await waitFor(async () => (await tree(join(root, '.sluice/meta'))).some((p) => p.endsWith('.json')));
  const fresh = new FsBackend({ root, readOnly: true });
  assert.equal((await fresh.head('file.txt')).etag, md5('one'), 'a new process reads the persisted ETag');
  await writeFile(join(root, 'file.txt'), 'two!');
  const later = new Date(Date.now() + 5000);
  await utimes(join(root, 'file.txt'), later, later);
  assert.equal((await backend.head('file.txt')).etag, md5('two!'));
  assert.equal((await new FsBackend({ root, readOnly: true }).head('file.txt')).etag, md5('two!'));
});

async function waitFor(check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('condition not reached');
}

test('a sidecar that no longer matches its file is ignored, metadata and all', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await backend.put('doc.bin', bytesBody('old'), { contentType: 'text/x-old', metadata: { v: '1' } });
  await writeFile(join(root, 'doc.bin'), 'replaced outside the gateway');
  const head = await new FsBackend({ root, readOnly: true }).head('doc.bin');
  assert.equal(head.etag, md5('replaced outside the gateway'));
  assert.equal(head.contentType, 'application/octet-stream');
  assert.deepEqual(head.metadata, {});
});

test('the private .sluice folder is never listed nor served as keys', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await backend.put('a//b', bytesBody('x'), { contentType: 'text/plain', metadata: { m: '1' } });
  await put(backend, 'L'.repeat(300), 'long');
  await writeFile(join(root, '.sluice-notes'), 'operator file with the reserved prefix');
  await writeFile(join(root, '.sluice~YQ'), 'not the canonical name of any key');
  assert.ok((await readdir(join(root, '.sluice'))).length > 0);
  assert.deepEqual(await listKeys(backend), ['L'.repeat(300), 'a//b']);
  assert.deepEqual(await listKeys(backend, '.sluice'), []);
  await rejectsNotFound(backend, '.sluice/tmp');
  await rejectsNotFound(backend, 'a');
  for (const meta of await tree(join(root, '.sluice/meta'))) await rejectsNotFound(backend, `.sluice/meta/${meta}`);
});

test('the private folder stays unreachable when the file system ignores case', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await backend.put('doc', bytesBody('x'), { contentType: 'text/plain', metadata: { secret: 'kept private' } });
  await put(backend, 'L'.repeat(300), 'long');
  // A case-insensitive file system answers `.SLUICE` (any case) with the `.sluice` folder; these links do the same here.
  for (const alias of ['.SLUICE', '.Sluice', '.sLuIcE']) await symlink('.sluice', join(root, alias));
  assert.deepEqual(await listKeys(backend), ['L'.repeat(300), 'doc']);
  for (const alias of ['.SLUICE', '.Sluice', '.sLuIcE']) {
    assert.deepEqual(await listKeys(backend, alias), [], alias);
    for (const meta of await tree(join(root, '.sluice/meta'))) await rejectsNotFound(backend, `${alias}/meta/${meta}`);
    for (const name of await tree(join(root, '.sluice/names'))) await rejectsNotFound(backend, `${alias}/names/${name}`);
  }
  await put(backend, '.SLUICE/meta/x', 'an ordinary key');
  assert.equal(await text(backend, '.SLUICE/meta/x'), 'an ordinary key');
  assert.ok(!(await tree(join(root, '.sluice'))).includes('meta/x'), 'the key was not written into the private folder');
  await backend.delete('.SLUICE/meta/x');
  assert.deepEqual(await listKeys(backend), ['L'.repeat(300), 'doc']);
});

test('a key whose folder is an object, or whose name is a folder of keys, fails with KeyConflictError', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await put(backend, 'a', 'file a');
  await assert.rejects(put(backend, 'a/b', 'under a'), KeyConflictError);
  await assert.rejects(put(backend, 'a/b/c', 'deeper'), KeyConflictError);
  await put(backend, 'x/y', 'in x');
  await assert.rejects(put(backend, 'x', 'over the folder'), KeyConflictError);
  assert.equal(await text(backend, 'a'), 'file a');
  assert.equal(await text(backend, 'x/y'), 'in x');
  assert.deepEqual(await listKeys(backend), ['a', 'x/y']);
  assert.deepEqual(await readdir(join(root, '.sluice/tmp')), [], 'no temp files are left behind');
  await backend.delete('x/y');
  await put(backend, 'x', 'now a file');
  assert.equal(await text(backend, 'x'), 'now a file');
});

test('delete removes the folders it leaves empty, up to the root', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await put(backend, 'p/q/r/s', 's');
  await put(backend, 'p/keep', 'k');
  await backend.delete('p/q/r/s');
  assert.deepEqual((await readdir(root)).sort(), ['.sluice', 'p']);
  assert.deepEqual(await readdir(join(root, 'p')), ['keep']);
  await backend.delete('p/keep');
  assert.deepEqual(await readdir(root), ['.sluice']);
});

test('a failed upload leaves no temp file', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  let sent = false;
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) controller.error(new Error('boom'));
      else controller.enqueue(new Uint8Array(1000));
      sent = true;
    },
  });
  await assert.rejects(backend.put('x', failing, { metadata: {} }), /boom/);
  assert.deepEqual(await readdir(join(root, '.sluice/tmp')), []);
  assert.deepEqual(await readdir(root), ['.sluice']);
});

test('an upload reaches the disk before it replaces the previous version, and the rename is flushed too', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await put(backend, 'dir/k', 'version one');
  const probe = await open(join(root, 'probe'), 'w');
  const fileHandle = Object.getPrototypeOf(probe) as { datasync(): Promise<void>; sync(): Promise<void> };
  await probe.close();
  await rm(join(root, 'probe'));
  const current = () => readFileSync(join(root, 'dir/k'), 'utf8');
  const flushes: string[] = [];
  const { datasync, sync } = fileHandle;
  t.mock.method(fileHandle, 'datasync', function (this: typeof fileHandle) {
    flushes.push(`data while the key holds ${current()}`);
    return datasync.call(this);
  });
  t.mock.method(fileHandle, 'sync', function (this: typeof fileHandle) {
    flushes.push(`folder while the key holds ${current()}`);
    return sync.call(this);
  });
  await put(backend, 'dir/k', 'version two');
  assert.deepEqual(flushes.slice(0, 2), ['data while the key holds version one', 'folder while the key holds version two']);
});

test('get hands over the file stream itself for the runtime to pipe', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await put(backend, 'f', '0123456789');
  const whole = await backend.get('f');
  assert.ok(whole.body instanceof RuntimeBody && whole.body.native instanceof ReadStream);
  whole.body.dispose();
  const ranged = await backend.get('f', { range: { kind: 'bounded', first: 3, last: 5 } });
  assert.ok(ranged.body instanceof RuntimeBody);
  const chunks: Buffer[] = [];
  for await (const chunk of ranged.body.native as ReadStream) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), '345');
});

test('symlinks are followed only when they stay inside the root', async (t) => {
  const { outer, root } = await sandbox(t);
  await writeFile(join(outer, 'secret.txt'), 'outside');
  await mkdir(join(outer, 'secret-dir'));
  await writeFile(join(outer, 'secret-dir/x'), 'outside too');
  await mkdir(join(root, 'real'));
  await writeFile(join(root, 'real/inside.txt'), 'inside');
  await symlink(join(outer, 'secret.txt'), join(root, 'leak.txt'));
  await symlink(join(outer, 'secret-dir'), join(root, 'leakdir'));
  await symlink(join(root, 'real/inside.txt'), join(root, 'alias.txt'));
  await symlink(join(root, 'real'), join(root, 'aliasdir'));
  await symlink(root, join(root, 'real/loop'));
  const backend = new FsBackend({ root, readOnly: false });
  await rejectsNotFound(backend, 'leak.txt');
  await rejectsNotFound(backend, 'leakdir/x');
  assert.equal(await text(backend, 'alias.txt'), 'inside');
  assert.equal(await text(backend, 'aliasdir/inside.txt'), 'inside');
  assert.deepEqual(await listKeys(backend), ['alias.txt', 'aliasdir/inside.txt', 'real/inside.txt']);
  await assert.rejects(put(backend, 'leakdir/new', 'x'));
  await assert.rejects(put(backend, 'leakdir/sub/new', 'x'));
  assert.deepEqual(await readdir(join(outer, 'secret-dir')), ['x'], 'nothing was created through the link');
  await backend.delete('leakdir/x');
  await backend.delete('leak.txt');
  assert.equal(await readFile(join(outer, 'secret-dir/x'), 'utf8'), 'outside too');
  assert.equal(await readFile(join(outer, 'secret.txt'), 'utf8'), 'outside');
});

test('a write refused because its folder is a link out of the root is access denied, not a too-long key', async (t) => {
  const { outer, root } = await sandbox(t);
  await mkdir(join(outer, 'elsewhere'));
  await symlink(join(outer, 'elsewhere'), join(root, 'out'));
  const backend = new FsBackend({ root, readOnly: false });
  for (const key of ['out/new', 'out/sub/new']) {
    let refused: unknown;
    await put(backend, key, 'x').catch((error: unknown) => {
      refused = error;
    });
    assert.equal(toS3Error(refused)?.code, 'AccessDenied', `${key}: ${String(refused)}`);
  }
  assert.deepEqual(await readdir(join(outer, 'elsewhere')), []);
});

test('file names no client could ask for are not listed, and special files are not objects', async (t) => {
  const { root } = await sandbox(t);
  await writeFile(join(root, 'ok'), 'fine');
  await writeFile(join(root, 'line\nbreak'), 'control character');
  await writeFile(Buffer.concat([Buffer.from(root + '/bad-'), Buffer.from([0xff])]), 'not UTF-8');
  execFileSync('mkfifo', [join(root, 'pipe')]);
  const backend = new FsBackend({ root, readOnly: true });
  assert.deepEqual(await listKeys(backend), ['ok']);
  await rejectsNotFound(backend, 'pipe');
});

test('a long key segment gets a digest name and is listed under its real key', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  const segment = 'é'.repeat(200);
  await put(backend, `dir/${segment}/leaf`, 'deep');
  const [folder] = await readdir(join(root, 'dir'));
  assert.match(folder!, /^\.sluice#[0-9a-f]{64}$/);
  assert.deepEqual(await listKeys(new FsBackend({ root, readOnly: true })), [`dir/${segment}/leaf`]);
  assert.deepEqual((await backend.list({ prefix: 'dir/', delimiter: '/', maxKeys: 5 })).commonPrefixes, [`dir/${segment}/`]);
  assert.deepEqual(await listKeys(backend, `dir/${segment.slice(0, 5)}`), [`dir/${segment}/leaf`]);
});

test('a folder first asked for while missing can be written afterwards', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await rejectsNotFound(backend, 'later/x');
  await put(backend, 'later/x', 'now here');
  assert.equal(await text(backend, 'later/x'), 'now here');
});

test('an upload handed over as a native Node stream is stored, and a failing one leaves nothing', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  const native = (readable: Readable) => new RuntimeBody(readable, () => Readable.toWeb(readable) as unknown as ReadableStream<Uint8Array>);
  const result = await backend.put('n', native(Readable.from([Buffer.from('na'), Buffer.from('tive')])), { metadata: {} });
  assert.equal(result.etag, md5('native'));
  assert.equal(await text(backend, 'n'), 'native');
  // Yields 'part', then fails when asked for more, like a connection reset mid-upload.
  let sent = false;
  const failing = new Readable({
    highWaterMark: 1,
    read() {
      if (sent) return this.destroy(new Error('connection reset'));
      sent = true;
      this.push(Buffer.from('part'));
    },
  });
  await assert.rejects(backend.put('n', native(failing), { metadata: {} }), /connection reset/);
  assert.equal(await text(backend, 'n'), 'native');
  assert.deepEqual(await readdir(join(root, '.sluice/tmp')), []);
});

test('concurrent puts to one key leave one whole version whose sidecar matches it', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  await Promise.all(Array.from({ length: 12 }, (_, i) =>
    backend.put('same', bytesBody(`version ${i}`.repeat(i + 1)), { contentType: `text/v${i}`, metadata: { v: String(i) } })));
  for (const reader of [backend, new FsBackend({ root, readOnly: true })]) {
    const head = await reader.head('same');
    const content = await text(reader, 'same');
    assert.equal(content, `version ${head.metadata.v}`.repeat(Number(head.metadata.v) + 1));
    assert.equal(head.etag, md5(content));
    assert.equal(head.contentType, `text/v${head.metadata.v}`);
  }
});

test('puts into a folder succeed while deletes empty and prune it', async (t) => {
  const { root } = await sandbox(t);
  const backend = new FsBackend({ root, readOnly: false });
  for (let i = 0; i < 30; i++) {
    await put(backend, 'f/g/old', 'o');
    await Promise.all([backend.delete('f/g/old'), put(backend, `f/g/new${i}`, 'n'), backend.delete(`f/g/new${i - 1}`)]);
    assert.equal(await text(backend, `f/g/new${i}`), 'n');
  }
  assert.deepEqual(await listKeys(backend), ['f/g/new29']);
});

test('a missing root is created for a writable backend and reported for a read-only one', async (t) => {
  const { outer } = await sandbox(t);
  const writable = new FsBackend({ root: join(outer, 'new/root'), readOnly: false });
  await put(writable, 'k', 'v');
  assert.equal(await text(writable, 'k'), 'v');
  const readOnly = new FsBackend({ root: join(outer, 'absent'), readOnly: true });
  await assert.rejects(readOnly.get('k'), { name: 'BackendUnavailableError' });
});
