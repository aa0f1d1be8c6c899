/**
 * Paging parts and uploads for backends that hold their inventory at hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageParts, pageUploads } from './listing.ts';
import { multipartEtag } from './completion.ts';

const at = (s: number) => new Date(s * 1000);
const uploads = [
  { key: 'b', uploadId: 'u4', initiated: at(4) },
  { key: 'a/x/1', uploadId: 'u2', initiated: at(2) },
  { key: 'a/1', uploadId: 'u1', initiated: at(1) },
  { key: 'a/x/2', uploadId: 'u3', initiated: at(3) },
  { key: 'a/1', uploadId: 'u0', initiated: at(5) },
];

test('a common prefix as key marker resumes after its whole group', () => {
  const first = pageUploads(uploads, { prefix: 'a/', delimiter: '/', maxUploads: 2 });
  assert.deepEqual(first.uploads.map((u) => u.uploadId), ['u1', 'u0']);
  const second = pageUploads(uploads, { prefix: 'a/', delimiter: '/', maxUploads: 2, keyMarker: 'a/1', uploadIdMarker: 'u0' });
  assert.deepEqual(second.commonPrefixes, ['a/x/']);
  assert.equal(second.isTruncated, false);
  const page = pageUploads(uploads, { prefix: '', delimiter: '/', maxUploads: 1 });
  assert.deepEqual([page.commonPrefixes, page.nextKeyMarker, page.nextUploadIdMarker], [['a/'], 'a/', undefined]);
  assert.deepEqual(pageUploads(uploads, { prefix: '', delimiter: '/', maxUploads: 5, keyMarker: 'a/' }).uploads.map((u) => u.key), ['b']);
});

test('uploads of one key keep their start order; maxUploads 0 lists nothing', () => {
  assert.deepEqual(pageUploads(uploads, { prefix: 'a/1', maxUploads: 10 }).uploads.map((u) => u.uploadId), ['u1', 'u0']);
  assert.deepEqual(pageUploads(uploads, { prefix: '', maxUploads: 0 }), { uploads: [], commonPrefixes: [], isTruncated: false });
});

test('parts page after the marker, in number order', () => {
  const parts = [5, 1, 3].map((n) => ({ partNumber: n, etag: '"x"', size: n, lastModified: at(n) }));
  const page = pageParts(parts, { maxParts: 2, partNumberMarker: 0 });
  assert.deepEqual([page.parts.map((p) => p.partNumber), page.isTruncated, page.nextPartNumberMarker], [[1, 3], true, 3]);
  assert.deepEqual(pageParts(parts, { maxParts: 2, partNumberMarker: 3 }).parts.map((p) => p.partNumber), [5]);
});

test('the multipart ETag is the MD5 of the binary part MD5s with the count', () => {
  // Parts whose MD5s are those of "" and "a" (one quoted, one bare); expected value from Python's hashlib.
  const etag = multipartEtag(['"d41d8cd98f00b204e9800998ecf8427e"', '0cc175b9c0f1b6a831c399e269772661']);
  assert.equal(etag, '"68083ea43d0307eecfa2b4749f19df15-2"');
});
