/**
 * Contract: writing, reading and deleting single objects — metadata round
 * trips, ETags, missing objects, failed uploads and read-only refusal.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ObjectMetadata } from '../../src/core/backend.ts';
import { ObjectNotFoundError, WriteNotAllowedError } from '../../src/core/backend-errors.ts';
import { readAll } from '../../src/core/body.ts';
import {
  bytes, chunkedBody, failingAtEndBody, failingBody, getText, listParams, put, quotedMd5, rejectsWith, stallingBody, type ContractContext,
} from './contract-support.ts';

const fullMetadata: ObjectMetadata = {
  contentType: 'text/csv; charset=utf-8',
  contentEncoding: 'identity',
  contentDisposition: 'attachment; filename="report.csv"',
  contentLanguage: 'en-GB',
  cacheControl: 'max-age=60, public',
  expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
  metadata: { owner: 'team-a', 'x-kebab-name': 'some value', empty: '' },
};

export function registerObjectTests({ test, options }: ContractContext): void {
  test('put then get and head round-trip the content and all metadata', async (backend) => {
    const before = Date.now();
    const put1 = await put(backend, 'docs/report.csv', 'a,b\n1,2\n', fullMetadata);
    const after = Date.now();
    const got = await backend.get('docs/report.csv');
    assert.equal(new TextDecoder().decode(await readAll(got.body)), 'a,b\n1,2\n');
    assert.equal(got.range, undefined);
    const head = await backend.head('docs/report.csv');
    for (const info of [got.info, head]) {
      assert.equal(info.key, 'docs/report.csv');
      assert.equal(info.size, 8);
      assert.equal(info.etag, put1.etag);
      for (const name of ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'expires'] as const) {
        assert.equal(info[name], fullMetadata[name], name);
      }
      assert.deepEqual(info.metadata, fullMetadata.metadata);
      assert.ok(info.lastModified instanceof Date);
      const time = info.lastModified.getTime();
      assert.ok(time >= before - 2000 && time <= after + 2000, `lastModified ${info.lastModified.toISOString()} is about now`);
    }
  });

  test('an object put without optional metadata carries none back', async (backend) => {
    await put(backend, 'plain', 'x');
    const head = await backend.head('plain');
    assert.deepEqual(head.metadata, {});
    for (const name of ['contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'expires'] as const) {
      assert.equal(head[name], undefined, name);
    }
  });

  test('a put replaces the content and all metadata of an existing object', async (backend) => {
    await put(backend, 'k', 'first version', fullMetadata);
    await put(backend, 'k', 'second', { contentType: 'text/plain', metadata: { v: '2' } });
    assert.equal(await getText(backend, 'k'), 'second');
    const head = await backend.head('k');
    assert.equal(head.size, 6);
    assert.equal(head.contentType, 'text/plain');
    assert.equal(head.cacheControl, undefined);
    assert.deepEqual(head.metadata, { v: '2' });
    assert.equal(head.etag, quotedMd5('second'));
  });

  test('the ETag of a single put is the quoted MD5 of the content', async (backend) => {
    const binary = randomBytes(70_000);
    for (const [key, content] of [['empty', bytes('')], ['small', bytes('hello')], ['binary', binary]] as const) {
      const result = await put(backend, key, content);
      assert.equal(result.etag, quotedMd5(content), key);
      assert.equal((await backend.head(key)).etag, quotedMd5(content), key);
    }
    const listed = await backend.list(listParams({}));
    assert.deepEqual(listed.objects.map((o) => [o.key, o.etag, o.size]), [
      ['binary', quotedMd5(binary), binary.length],
      ['empty', quotedMd5(''), 0],
      ['small', quotedMd5('hello'), 5],
    ]);
  });

  test('an empty object round-trips with size 0', async (backend) => {
    await put(backend, 'empty', '');
    const got = await backend.get('empty');
    assert.equal((await readAll(got.body)).length, 0);
    assert.equal(got.info.size, 0);
  });

  test('a body arriving in many chunks is stored byte for byte', async (backend) => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < data.length; i += 65_521) chunks.push(data.subarray(i, i + 65_521));
    chunks.splice(3, 0, new Uint8Array(0));
    const result = await backend.put('big.bin', chunkedBody(chunks), { metadata: {} });
    assert.equal(result.etag, quotedMd5(data));
    const got = await backend.get('big.bin');
    assert.equal(got.info.size, data.length);
    assert.ok(Buffer.from(await readAll(got.body)).equals(data), 'content differs');
  });

  test('get and head of a missing object fail with ObjectNotFoundError', async (backend) => {
    await put(backend, 'dir/x', 'x');
    for (const key of ['missing', 'dir', 'dir/', 'dir/x/y', 'dir/x/']) {
      const onGet = await rejectsWith(() => backend.get(key), ObjectNotFoundError);
      assert.equal(onGet.key, key);
      await rejectsWith(() => backend.head(key), ObjectNotFoundError);
    }
  });

  test('delete removes the object from reads and listings', async (backend) => {
    await put(backend, 'dir/x', 'x');
    await put(backend, 'dir/y', 'y');
    await backend.delete('dir/x');
    await rejectsWith(() => backend.get('dir/x'), ObjectNotFoundError);
    await rejectsWith(() => backend.head('dir/x'), ObjectNotFoundError);
    assert.equal(await getText(backend, 'dir/y'), 'y');
    const listed = await backend.list(listParams({}));
    assert.deepEqual(listed.objects.map((o) => o.key), ['dir/y']);
    await backend.delete('dir/y');
    assert.deepEqual((await backend.list(listParams({}))).objects, []);
    await put(backend, 'dir', 'a key where a folder used to be');
    assert.equal(await getText(backend, 'dir'), 'a key where a folder used to be');
  });

  test('deleting a missing object succeeds silently and touches nothing else', async (backend) => {
    await put(backend, 'dir/x', 'x');
    await backend.delete('missing');
    await backend.delete('dir');
    await backend.delete('dir/');
    await backend.delete('dir/x/y');
    assert.equal(await getText(backend, 'dir/x'), 'x');
  });

  test('a body stream that fails midway stores nothing', async (backend) => {
    await assert.rejects(backend.put('broken', failingBody(bytes('partial')), { metadata: {} }));
    await rejectsWith(() => backend.get('broken'), ObjectNotFoundError);
    assert.deepEqual((await backend.list(listParams({}))).objects, []);
  });

  test('a body stream that fails midway leaves the previous version intact', async (backend) => {
    const first = await put(backend, 'doc', 'version one', { contentType: 'text/plain', metadata: { v: '1' } });
    await assert.rejects(backend.put('doc', failingBody(bytes('version two, partial')), { metadata: { v: '2' } }));
    assert.equal(await getText(backend, 'doc'), 'version one');
    const head = await backend.head('doc');
    assert.equal(head.etag, first.etag);
    assert.deepEqual(head.metadata, { v: '1' });
    assert.deepEqual((await backend.list(listParams({}))).objects.map((o) => o.key), ['doc']);
  });

  test('a body stream that fails after its last byte or midway stores nothing and keeps the previous version', async (backend) => {
    const previous = await put(backend, 'doc', 'version one', { contentType: 'text/plain', metadata: { v: '1' } });
    const content = randomBytes(100_000);
    const failures = {
      'after its last byte': () => failingAtEndBody([content.subarray(0, 60_000), content.subarray(60_000)]),
      midway: () => failingBody(content.subarray(0, 60_000)),
    };
    for (const [when, body] of Object.entries(failures)) {
      // The declared length is the whole body's, as a client would declare it.
      const options = { contentLength: content.length };
      await assert.rejects(backend.put('doc', body(), { metadata: { v: '2' } }, options), `overwrite failing ${when}`);
      await assert.rejects(backend.put('new', body(), { metadata: {} }, options), `new object failing ${when}`);
      // Compared by digest: a failure then prints two ETags, not 100 kB of random bytes.
      assert.equal(quotedMd5(await readAll((await backend.get('doc')).body)), quotedMd5('version one'), `${when}: the previous bytes`);
      const head = await backend.head('doc');
      assert.equal(head.etag, previous.etag, when);
      assert.equal(head.size, 11, when);
      assert.deepEqual(head.metadata, { v: '1' }, when);
      await rejectsWith(() => backend.head('new'), ObjectNotFoundError);
      await rejectsWith(() => backend.get('new'), ObjectNotFoundError);
      const listed = await backend.list(listParams({}));
      assert.deepEqual(listed.objects.map((o) => [o.key, o.etag, o.size]), [['doc', previous.etag, 11]], when);
    }
  });

  test('an aborted upload stores nothing and leaves the previous version intact', async (backend) => {
    await put(backend, 'doc', 'version one');
    // The client goes away once the backend has taken the first bytes and waits for more.
    const controller = new AbortController();
    const abortWhenStalled = (aborting: AbortController) => () => aborting.abort(new Error('client went away'));
    const upload = backend.put('doc', stallingBody(bytes('version two'), abortWhenStalled(controller)), { metadata: {} }, { signal: controller.signal });
    await assert.rejects(upload);
    const fresh = new AbortController();
    const other = backend.put('new', stallingBody(bytes('never finished'), abortWhenStalled(fresh)), { metadata: {} }, { signal: fresh.signal });
    await assert.rejects(other);
    assert.equal(await getText(backend, 'doc'), 'version one');
    await rejectsWith(() => backend.head('new'), ObjectNotFoundError);
    assert.deepEqual((await backend.list(listParams({}))).objects.map((o) => o.key), ['doc']);
  });

  test('a read-only backend serves reads and refuses writes', async (backend) => {
    assert.ok(options.readOnly, 'provide options.readOnly, or skip this test with a reason');
    await put(backend, 'kept', 'original', { metadata: { a: '1' } });
    const readOnly = await options.readOnly(backend);
    assert.equal(await getText(readOnly, 'kept'), 'original');
    assert.deepEqual((await readOnly.list(listParams({}))).objects.map((o) => o.key), ['kept']);
    await rejectsWith(() => put(readOnly, 'kept', 'overwritten'), WriteNotAllowedError);
    await rejectsWith(() => put(readOnly, 'new', 'x'), WriteNotAllowedError);
    await rejectsWith(() => readOnly.delete('kept'), WriteNotAllowedError);
    await rejectsWith(() => readOnly.delete('missing'), WriteNotAllowedError);
    assert.equal(await getText(backend, 'kept'), 'original');
    await rejectsWith(() => backend.head('new'), ObjectNotFoundError);
  });
}
