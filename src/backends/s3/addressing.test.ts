/** Request URLs: path and virtual-host style, AWS key encoding, canonical query order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsEncode, bucketUrl, encodeQuery, objectUrl } from './addressing.ts';
import { resolveS3Options } from './options.ts';
import { createFetchHttpClient } from '../../core/fetch-http-client.ts';

const base = { region: 'us-east-1', bucket: 'data', prefix: '', http: createFetchHttpClient() };

test('awsEncode escapes every byte but the unreserved set, keeping "/" only in keys', () => {
  assert.equal(awsEncode("a b+c*!'()~._-/é%", true), "a%20b%2Bc%2A%21%27%28%29~._-/%C3%A9%25");
  assert.equal(awsEncode('a/b', false), 'a%2Fb');
});

test('encodeQuery sorts by encoded name and drops absent values', () => {
  assert.equal(
    encodeQuery({ prefix: 'a b/', 'list-type': '2', delimiter: undefined, 'continuation-token': 'x+y=' }),
    'continuation-token=x%2By%3D&list-type=2&prefix=a%20b%2F',
  );
  assert.equal(encodeQuery({ uploads: '' }), 'uploads=');
});

test('path-style URLs put the bucket in the path, after any endpoint path', () => {
  const opts = resolveS3Options({ ...base, endpoint: 'http://127.0.0.1:4568', forcePathStyle: true });
  assert.equal(objectUrl(opts, 'dir/a b'), 'http://127.0.0.1:4568/data/dir/a%20b');
  assert.equal(objectUrl(opts, 'k', 'uploadId=1'), 'http://127.0.0.1:4568/data/k?uploadId=1');
  assert.equal(bucketUrl(opts, 'list-type=2'), 'http://127.0.0.1:4568/data/?list-type=2');
  const under = resolveS3Options({ ...base, endpoint: 'https://gw.example/s3/', forcePathStyle: true });
  assert.equal(objectUrl(under, 'k'), 'https://gw.example/s3/data/k');
});

test('virtual-host URLs put the bucket in the host name', () => {
  const opts = resolveS3Options({ ...base, endpoint: 'https://s3.us-west-2.amazonaws.com', forcePathStyle: false });
  assert.equal(objectUrl(opts, 'a/../b'), 'https://data.s3.us-west-2.amazonaws.com/a/../b');
  assert.equal(bucketUrl(opts), 'https://data.s3.us-west-2.amazonaws.com/');
});

test('resolveS3Options reports every problem at once', () => {
  assert.throws(
    () => resolveS3Options({ ...base, endpoint: 'ftp://x', region: '', bucket: '', prefix: 'nope', forcePathStyle: true, retry: { attempts: 0 } }),
    (err: unknown) =>
      err instanceof TypeError &&
      /endpoint must be http/.test(err.message) &&
      /region is required/.test(err.message) &&
      /bucket is required/.test(err.message) &&
      /prefix must be/.test(err.message) &&
      /retry.attempts/.test(err.message),
  );
});
