/**
 * The multipart contract suite: every backend offering `MultipartCapable`
 * runs it. Each test gets a fresh backend; a backend lacking a feature skips
 * a test by name with a printed reason, and a skip naming no test fails.
 *
 *   runMultipartContract('fs', async () => ({ backend, cleanup }), { skip: { 'test name': 'reason' } });
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Backend } from '../../src/core/backend.ts';
import { type MultipartOperations, hasMultipart } from '../../src/core/backend-capabilities.ts';
import { EntityTooSmallError, InvalidPartError, NoSuchUploadError, ObjectNotFoundError, PreconditionFailedError } from '../../src/core/backend-errors.ts';
import { bytesBody, readAll } from '../../src/core/body.ts';
import { MIN_PART_BYTES } from '../../src/core/multipart/completion.ts';
import { failingBody, quotedMd5 } from './contract-support.ts';

export interface MultipartContractOptions {
  /** Test name → reason, for a backend that lacks a feature. The reason is printed. */
  skip?: Record<string, string>;
}

type Body = (backend: Backend, multipart: MultipartOperations) => Promise<void>;

/** S3's multipart ETag, computed independently of the code under test. */
function expectedEtag(parts: Uint8Array[]): string {
  const digests = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  return `"${createHash('md5').update(digests).digest('hex')}-${parts.length}"`;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

const big = (fill?: number) => (fill === undefined ? new Uint8Array(randomBytes(MIN_PART_BYTES)) : new Uint8Array(MIN_PART_BYTES).fill(fill));

export function runMultipartContract(
  name: string,
  makeBackend: () => Promise<{ backend: Backend; cleanup(): Promise<void> }>,
  options: MultipartContractOptions = {},
): void {
  const skip = options.skip ?? {};
  const names = new Set<string>();
  function test(testName: string, body: Body): void {
    names.add(testName);
    it(testName, async (t) => {
      const reason = skip[testName];
      if (reason !== undefined) {
        t.skip(reason);
        return;
      }
      const { backend, cleanup } = await makeBackend();
      t.after(cleanup);
      assert.ok(hasMultipart(backend), `${name} offers multipart uploads`);
      await body(backend, backend.multipart);
    });
  }

  describe(`${name} multipart contract`, () => {
    test('parts upload, complete into one object with the multipart ETag, and the upload is gone', async (backend, mp) => {
      const { uploadId } = await mp.create('dir/object', { metadata: { colour: 'blue' }, contentType: 'text/x-test' });
      const parts = [big(), new Uint8Array(randomBytes(1234))];
      const first = await mp.uploadPart('dir/object', uploadId, 1, bytesBody(parts[0]!.slice()));
      const second = await mp.uploadPart('dir/object', uploadId, 2, bytesBody(parts[1]!.slice()));
      assert.equal(first.etag, quotedMd5(parts[0]!));
      assert.equal(second.etag, quotedMd5(parts[1]!));
      const done = await mp.complete('dir/object', uploadId, [{ partNumber: 1, etag: first.etag }, { partNumber: 2, etag: second.etag }]);
      assert.equal(done.etag, expectedEtag(parts));
      const read = await backend.get('dir/object');
      assert.deepEqual(await readAll(read.body), concat(parts));
      assert.equal(read.info.size, MIN_PART_BYTES + 1234);
      assert.equal(read.info.etag, expectedEtag(parts));
      assert.equal(read.info.contentType, 'text/x-test');
      assert.deepEqual(read.info.metadata, { colour: 'blue' });
      await assert.rejects(mp.listParts('dir/object', uploadId, { maxParts: 10 }), NoSuchUploadError);
      assert.deepEqual((await mp.listUploads({ prefix: '', maxUploads: 10 })).uploads, []);
    });

    test('the assembled object reports its part sizes', async (backend, mp) => {
      const { uploadId } = await mp.create('sized', { metadata: {} });
      const a = await mp.uploadPart('sized', uploadId, 1, bytesBody(big(1)));
      const b = await mp.uploadPart('sized', uploadId, 2, bytesBody(new Uint8Array(10).fill(2)));
      await mp.complete('sized', uploadId, [{ partNumber: 1, etag: a.etag }, { partNumber: 2, etag: b.etag }]);
      assert.deepEqual((await backend.head('sized')).partSizes, [MIN_PART_BYTES, 10]);
    });

    test('a re-sent part replaces the earlier one', async (backend, mp) => {
      const { uploadId } = await mp.create('k', { metadata: {} });
      await mp.uploadPart('k', uploadId, 1, bytesBody('first version'));
      const again = await mp.uploadPart('k', uploadId, 1, bytesBody('second'));
      const listed = await mp.listParts('k', uploadId, { maxParts: 10 });
      assert.deepEqual(listed.parts.map((p) => [p.partNumber, p.etag, p.size]), [[1, again.etag, 6]]);
      await mp.complete('k', uploadId, [{ partNumber: 1, etag: again.etag }]);
      assert.equal(Buffer.from(await readAll((await backend.get('k')).body)).toString(), 'second');
    });

    test('completion may leave parts out; only the named ones are joined', async (backend, mp) => {
      const { uploadId } = await mp.create('k', { metadata: {} });
      const one = big(7);
      const p1 = await mp.uploadPart('k', uploadId, 1, bytesBody(one.slice()));
      await mp.uploadPart('k', uploadId, 2, bytesBody('left out'));
      const p3 = await mp.uploadPart('k', uploadId, 3, bytesBody('end'));
      const done = await mp.complete('k', uploadId, [{ partNumber: 1, etag: p1.etag }, { partNumber: 3, etag: p3.etag }]);
      assert.equal(done.etag, expectedEtag([one, new TextEncoder().encode('end')]));
      assert.equal((await backend.head('k')).size, MIN_PART_BYTES + 3);
    });

    test('an unknown part or a wrong ETag is InvalidPart, and the upload stays', async (_backend, mp) => {
      const { uploadId } = await mp.create('k', { metadata: {} });
      const p1 = await mp.uploadPart('k', uploadId, 1, bytesBody('x'));
      await assert.rejects(mp.complete('k', uploadId, [{ partNumber: 2, etag: p1.etag }]), InvalidPartError);
      await assert.rejects(mp.complete('k', uploadId, [{ partNumber: 1, etag: '"00000000000000000000000000000000"' }]), InvalidPartError);
      assert.equal((await mp.listParts('k', uploadId, { maxParts: 10 })).parts.length, 1);
    });

    test('completion under If-None-Match: * fails with PreconditionFailed when the key exists, and the upload stays', async (backend, mp) => {
      await backend.put('guarded', bytesBody('already here'), { metadata: {} });
      const { uploadId } = await mp.create('guarded', { metadata: {} });
      const part = await mp.uploadPart('guarded', uploadId, 1, bytesBody('new'));
      const parts = [{ partNumber: 1, etag: part.etag }];
      await assert.rejects(mp.complete('guarded', uploadId, parts, { conditions: { ifNoneMatch: '*' } }), PreconditionFailedError);
      assert.equal(Buffer.from(await readAll((await backend.get('guarded')).body)).toString(), 'already here');
      assert.equal((await mp.listParts('guarded', uploadId, { maxParts: 10 })).parts.length, 1);
      await backend.delete('guarded');
      await mp.complete('guarded', uploadId, parts, { conditions: { ifNoneMatch: '*' } });
      assert.equal(Buffer.from(await readAll((await backend.get('guarded')).body)).toString(), 'new');
    });

    test('completion under If-Match commits only over the named version', async (backend, mp) => {
      const first = await backend.put('versioned', bytesBody('one'), { metadata: {} });
      const { uploadId } = await mp.create('versioned', { metadata: {} });
      const part = await mp.uploadPart('versioned', uploadId, 1, bytesBody('three'));
      const parts = [{ partNumber: 1, etag: part.etag }];
      const second = await backend.put('versioned', bytesBody('two'), { metadata: {} });
      await assert.rejects(mp.complete('versioned', uploadId, parts, { conditions: { ifMatch: first.etag } }), PreconditionFailedError);
      assert.equal(Buffer.from(await readAll((await backend.get('versioned')).body)).toString(), 'two');
      await mp.complete('versioned', uploadId, parts, { conditions: { ifMatch: second.etag } });
      assert.equal(Buffer.from(await readAll((await backend.get('versioned')).body)).toString(), 'three');
    });

    test('a part other than the last under 5 MiB is EntityTooSmall', async (backend, mp) => {
      const { uploadId } = await mp.create('k', { metadata: {} });
      const p1 = await mp.uploadPart('k', uploadId, 1, bytesBody('small'));
      const p2 = await mp.uploadPart('k', uploadId, 2, bytesBody('end'));
      await assert.rejects(mp.complete('k', uploadId, [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }]), EntityTooSmallError);
      await assert.rejects(backend.head('k'), ObjectNotFoundError);
    });

    test('the ETag is accepted bare as well as quoted', async (_backend, mp) => {
      const { uploadId } = await mp.create('k', { metadata: {} });
      const p1 = await mp.uploadPart('k', uploadId, 1, bytesBody('x'));
      await mp.complete('k', uploadId, [{ partNumber: 1, etag: p1.etag.replace(/"/g, '') }]);
    });

    test('abort drops the upload and its parts; no object appears', async (backend, mp) => {
      const { uploadId } = await mp.create('k', { metadata: {} });
      await mp.uploadPart('k', uploadId, 1, bytesBody('x'));
      await mp.abort('k', uploadId);
      await assert.rejects(mp.listParts('k', uploadId, { maxParts: 10 }), NoSuchUploadError);
      await assert.rejects(mp.uploadPart('k', uploadId, 2, bytesBody('y')), NoSuchUploadError);
      await assert.rejects(backend.head('k'), ObjectNotFoundError);
      assert.deepEqual((await mp.listUploads({ prefix: '', maxUploads: 10 })).uploads, []);
      assert.deepEqual((await backend.list({ prefix: '', maxKeys: 10 })).objects, []);
    });

    test('an upload id is bound to its key; an unknown id is NoSuchUpload', async (_backend, mp) => {
      const { uploadId } = await mp.create('mine', { metadata: {} });
      await assert.rejects(mp.uploadPart('other', uploadId, 1, bytesBody('x')), NoSuchUploadError);
      await assert.rejects(mp.listParts('other', uploadId, { maxParts: 10 }), NoSuchUploadError);
      await assert.rejects(mp.abort('other', uploadId), NoSuchUploadError);
      await assert.rejects(mp.complete('other', uploadId, [{ partNumber: 1, etag: '"x"' }]), NoSuchUploadError);
      await assert.rejects(mp.listParts('mine', 'no-such-upload-id', { maxParts: 10 }), NoSuchUploadError);
      await mp.listParts('mine', uploadId, { maxParts: 10 });
    });

    test('a part whose body fails is not stored', async (_backend, mp) => {
      const { uploadId } = await mp.create('k', { metadata: {} });
      await assert.rejects(mp.uploadPart('k', uploadId, 1, failingBody(new Uint8Array(100))));
      assert.deepEqual((await mp.listParts('k', uploadId, { maxParts: 10 })).parts, []);
    });

    test('parts list in order and page with a part-number marker', async (_backend, mp) => {
      const { uploadId } = await mp.create('k', { metadata: {} });
      for (const n of [3, 1, 2]) await mp.uploadPart('k', uploadId, n, bytesBody(`part ${n}`));
      const page = await mp.listParts('k', uploadId, { maxParts: 2 });
      assert.deepEqual(page.parts.map((p) => p.partNumber), [1, 2]);
      assert.equal(page.isTruncated, true);
      assert.equal(page.nextPartNumberMarker, 2);
      assert.equal(page.parts[0]!.size, 6);
      assert.ok(page.parts[0]!.lastModified instanceof Date);
      const rest = await mp.listParts('k', uploadId, { maxParts: 2, partNumberMarker: 2 });
      assert.deepEqual(rest.parts.map((p) => p.partNumber), [3]);
      assert.equal(rest.isTruncated, false);
    });

    test('uploads list by prefix and delimiter, and page with key and upload-id markers', async (_backend, mp) => {
      const a1 = (await mp.create('a/1', { metadata: {} })).uploadId;
      const a2 = (await mp.create('a/1', { metadata: {} })).uploadId;
      await mp.create('a/dir/x', { metadata: {} });
      await mp.create('b', { metadata: {} });
      const all = await mp.listUploads({ prefix: '', maxUploads: 100 });
      assert.deepEqual(all.uploads.map((u) => u.key), ['a/1', 'a/1', 'a/dir/x', 'b']);
      assert.deepEqual(new Set(all.uploads.slice(0, 2).map((u) => u.uploadId)), new Set([a1, a2]));
      const grouped = await mp.listUploads({ prefix: 'a/', delimiter: '/', maxUploads: 100 });
      assert.deepEqual(grouped.uploads.map((u) => u.key), ['a/1', 'a/1']);
      assert.deepEqual(grouped.commonPrefixes, ['a/dir/']);
      const first = await mp.listUploads({ prefix: '', maxUploads: 1 });
      assert.equal(first.isTruncated, true);
      assert.equal(first.nextKeyMarker, 'a/1');
      assert.equal(first.nextUploadIdMarker, first.uploads[0]!.uploadId);
      const second = await mp.listUploads({ prefix: '', maxUploads: 1, keyMarker: first.nextKeyMarker!, uploadIdMarker: first.nextUploadIdMarker! });
      assert.deepEqual(second.uploads.map((u) => u.key), ['a/1']);
      assert.notEqual(second.uploads[0]!.uploadId, first.uploads[0]!.uploadId);
      const afterKey = await mp.listUploads({ prefix: '', maxUploads: 100, keyMarker: 'a/1' });
      assert.deepEqual(afterKey.uploads.map((u) => u.key), ['a/dir/x', 'b']);
    });
  });

  it(`${name} multipart contract skips name only tests of the suite`, () => {
    const unknown = Object.keys(skip).filter((testName) => !names.has(testName));
    assert.deepEqual(unknown, [], 'every skipped name must match a contract test');
  });
}
