/** Object metadata, conditions and ranges to and from S3 headers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionHeaders, metadataHeaders, objectInfoFromHeaders, parseContentRange, rangeHeader } from './object-headers.ts';

test('metadataHeaders maps standard headers and user metadata, encoding non-ASCII values per RFC 2047', () => {
  const headers = metadataHeaders({
    contentType: 'text/plain',
    contentEncoding: 'gzip',
    contentDisposition: 'attachment; filename="r\u00e9sum\u00e9.txt"',
    contentLanguage: 'en',
    cacheControl: 'no-cache',
    expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
    metadata: { Owner: 'ann', note: 'caf\u00e9 \u2615' },
  });
  assert.equal(headers['content-type'], 'text/plain');
  assert.equal(headers['content-encoding'], 'gzip');
  assert.equal(headers['content-language'], 'en');
  assert.equal(headers['cache-control'], 'no-cache');
  assert.equal(headers['expires'], 'Wed, 21 Oct 2037 07:28:00 GMT');
  assert.equal(headers['x-amz-meta-owner'], 'ann');
  assert.match(headers['x-amz-meta-note']!, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  assert.match(headers['content-disposition']!, /^=\?UTF-8\?B\?/);
  const info = objectInfoFromHeaders('k', { ...headers, 'content-length': '3', etag: '"e"', 'last-modified': 'Wed, 01 May 2024 10:00:00 GMT' });
  assert.equal(info.metadata['note'], 'caf\u00e9 \u2615');
  assert.equal(info.contentDisposition, 'attachment; filename="r\u00e9sum\u00e9.txt"');
});

test('objectInfoFromHeaders reads size, etag, dates, storage class and Q-encoded metadata', () => {
  const info = objectInfoFromHeaders('dir/k', {
    'content-length': '5',
    'content-range': 'bytes 10-14/100',
    etag: 'abc',
    'last-modified': 'Wed, 01 May 2024 10:00:00 GMT',
    'x-amz-meta-a': 'plain',
    'x-amz-meta-q': '=?utf-8?Q?caf=C3=A9_x?=',
    'x-amz-storage-class': 'STANDARD_IA',
    'x-amz-request-id': 'ignored',
  });
  assert.equal(info.key, 'dir/k');
  assert.equal(info.size, 100);
  assert.equal(info.etag, '"abc"');
  assert.equal(info.lastModified.toISOString(), '2024-05-01T10:00:00.000Z');
  assert.deepEqual(info.metadata, { a: 'plain', q: 'caf\u00e9 x' });
  assert.equal(info.storageClass, 'STANDARD_IA');
  assert.equal(info.contentType, undefined);
});

test('conditionHeaders and rangeHeader produce the wire forms', () => {
  assert.deepEqual(
    conditionHeaders({
      ifMatch: '"a"',
      ifNoneMatch: '*',
      ifModifiedSince: new Date('2024-05-01T10:00:00Z'),
      ifUnmodifiedSince: new Date('2024-05-02T10:00:00Z'),
    }),
    {
      'if-match': '"a"',
      'if-none-match': '*',
      'if-modified-since': 'Wed, 01 May 2024 10:00:00 GMT',
      'if-unmodified-since': 'Thu, 02 May 2024 10:00:00 GMT',
    },
  );
  assert.deepEqual(conditionHeaders(undefined), {});
  assert.equal(rangeHeader({ kind: 'bounded', first: 0, last: 9 }), 'bytes=0-9');
  assert.equal(rangeHeader({ kind: 'from', first: 5 }), 'bytes=5-');
  assert.equal(rangeHeader({ kind: 'suffix', length: 3 }), 'bytes=-3');
});

test('parseContentRange reads satisfied and unsatisfied forms and rejects garbage', () => {
  assert.deepEqual(parseContentRange('bytes 0-9/100'), { range: { start: 0, end: 9 }, size: 100 });
  assert.deepEqual(parseContentRange('bytes */42'), { size: 42 });
  assert.deepEqual(parseContentRange('bytes 0-9/*'), { range: { start: 0, end: 9 } });
  assert.deepEqual(parseContentRange('items 1-2/3'), {});
  assert.deepEqual(parseContentRange(undefined), {});
});
