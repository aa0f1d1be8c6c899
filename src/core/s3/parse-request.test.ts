import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3Error } from '../errors/s3-error.ts';
import type { GatewayRequest } from '../http.ts';
import { parseS3Request } from './parse-request.ts';

function req(method: string, target: string, headers: Record<string, string> = {}): GatewayRequest {
  const q = target.indexOf('?');
  return {
    method,
    rawPath: q === -1 ? target : target.slice(0, q),
    rawQuery: q === -1 ? '' : target.slice(q + 1),
    headers: { host: 'localhost:9000', ...headers },
    client: {},
  };
}

const parse = (method: string, target: string, headers?: Record<string, string>, domain?: string) =>
  parseS3Request(req(method, target, headers), { virtualHostDomain: domain });

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof S3Error);
    return error.code;
  }
  return 'no error';
}

test('service, bucket and object operations by method and path', () => {
  assert.equal(parse('GET', '/').name, 'ListBuckets');
  assert.equal(parse('HEAD', '/b').name, 'HeadBucket');
  assert.equal(parse('GET', '/b').name, 'ListObjects');
  assert.equal(parse('GET', '/b/?list-type=2').name, 'ListObjectsV2');
  assert.equal(parse('GET', '/b?location').name, 'GetBucketLocation');
  assert.equal(parse('GET', '/b/k').name, 'GetObject');
  assert.equal(parse('HEAD', '/b/k').name, 'HeadObject');
  assert.equal(parse('PUT', '/b/k').name, 'PutObject');
  assert.equal(parse('DELETE', '/b/k').name, 'DeleteObject');
});

test('subresources select their own operation and are never a listing or a read', () => {
  assert.deepEqual(parse('GET', '/b?acl'), { name: 'Unsupported', operation: 'GetBucketAcl', bucket: 'b' });
  assert.deepEqual(parse('PUT', '/b?versioning'), { name: 'Unsupported', operation: 'PutBucketVersioning', bucket: 'b' });
  assert.equal(parse('GET', '/b/k?tagging').name, 'Unsupported');
  assert.equal(parse('GET', '/b/k?attributes').name, 'Unsupported');
  assert.equal(parse('GET', '/b/k?partNumber=1&tagging').name, 'Unsupported');
  assert.equal(parse('PUT', '/b/k?uploads').name, 'Unsupported');
  assert.equal(parse('PUT', '/b/k', { 'x-amz-copy-source': '/b/x?versionId=3HL4kqtJ' }).name, 'Unsupported');
  assert.equal(parse('GET', '/b/k?versionId=3HL4kqtJ').name, 'Unsupported');
  assert.equal(parse('GET', '/b/k?versionId=null').name, 'GetObject');
  assert.equal(parse('POST', '/bucket').name, 'Unsupported');
});

test('CreateBucket and DeleteBucket: PUT and DELETE on a bucket, the new name checked against S3\'s rules', () => {
  assert.deepEqual(parse('PUT', '/new-bucket'), { name: 'CreateBucket', bucket: 'new-bucket', style: 'path' });
  assert.deepEqual(parse('PUT', '/'.concat('new-bucket', '/')), { name: 'CreateBucket', bucket: 'new-bucket', style: 'path' });
  assert.deepEqual(parse('PUT', '/', {}, 's3.example.com'), { name: 'Unsupported', operation: 'PUT on the service' });
  assert.deepEqual(parse('PUT', '/', { host: 'new-bucket.s3.example.com' }, 's3.example.com'), { name: 'CreateBucket', bucket: 'new-bucket', style: 'virtual-host' });
  assert.deepEqual(parse('DELETE', '/new-bucket'), { name: 'DeleteBucket', bucket: 'new-bucket', style: 'path' });
  for (const bad of ['ab', 'Upper', 'under_score', '-dash', 'dots..dots', '192.168.1.1', 'xn--punycode', 'name-s3alias', 'a'.repeat(64)]) {
    assert.equal(code(() => parse('PUT', `/${bad}`)), 'InvalidBucketName', bad);
  }
  // DeleteBucket of a name no bucket could have is simply a bucket that does not exist.
  assert.deepEqual(parse('DELETE', '/Upper'), { name: 'DeleteBucket', bucket: 'Upper', style: 'path' });
  assert.deepEqual(parse('PUT', '/new-bucket', { 'x-amz-bucket-object-lock-enabled': 'true' }), { name: 'Unsupported', operation: 'object lock', bucket: 'new-bucket' });
  assert.deepEqual(parse('PUT', '/new-bucket', { 'x-amz-acl': 'public-read' }), { name: 'Unsupported', operation: 'bucket ACLs', bucket: 'new-bucket' });
  assert.equal(parse('PUT', '/new-bucket', { 'x-amz-acl': 'private' }).name, 'CreateBucket');
});

test('operations with several targets: CopyObject names its source, DeleteObjects its bucket', () => {
  const copy = parse('PUT', '/b/k', { 'x-amz-copy-source': '/src/a%20b%2Fc%2Bd' });
  assert.deepEqual(copy.name === 'CopyObject' && copy.source, { bucket: 'src', key: 'a b/c+d' });
  const unslashed = parse('PUT', '/b/k', { 'x-amz-copy-source': 'src/x?versionId=null' });
  assert.deepEqual(unslashed.name === 'CopyObject' && unslashed.source, { bucket: 'src', key: 'x' });
  assert.equal(code(() => parse('PUT', '/b/k', { 'x-amz-copy-source': 'src' })), 'InvalidArgument');
  assert.equal(code(() => parse('PUT', '/b/k', { 'x-amz-copy-source': '/src/' })), 'InvalidArgument');
  assert.deepEqual(parse('POST', '/b?delete'), { name: 'DeleteObjects', bucket: 'b', style: 'path' });
});

test('headers that would change a write and are not implemented make it unsupported, never ignored', () => {
  for (const [name, value] of [
    ['x-amz-server-side-encryption', 'aws:kms'],
    ['x-amz-object-lock-mode', 'GOVERNANCE'],
    ['x-amz-write-offset-bytes', '10'],
    ['x-amz-acl', 'public-read'],
    ['x-amz-grant-read', 'id=x'],
  ]) {
    const op = parse('PUT', '/b/k', { [name!]: value! });
    assert.deepEqual(op.name === 'Unsupported' && op.operation, `the ${name} header`, name);
  }
  assert.equal(parse('PUT', '/b/k', { 'x-amz-acl': 'private' }).name, 'PutObject');
  assert.equal(parse('GET', '/b/k', { 'if-none-match': '*' }).name, 'GetObject', 'conditional reads are implemented');
  assert.equal(parse('GET', '/b/k', { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }).name, 'Unsupported');
});

test('write preconditions are parsed on PutObject and CopyObject and refused on other writes', () => {
  const put = parse('PUT', '/b/k', { 'if-none-match': '*' });
  assert.ok(put.name === 'PutObject');
  assert.deepEqual(put.writeConditions, { ifNoneMatch: '*' });
  const match = parse('PUT', '/b/k', { 'if-match': '"abc"' });
  assert.ok(match.name === 'PutObject');
  assert.deepEqual(match.writeConditions, { ifMatch: '"abc"' });
  assert.equal((parse('PUT', '/b/k') as { writeConditions?: unknown }).writeConditions, undefined, 'none without the headers');
  const copy = parse('PUT', '/b/k', { 'x-amz-copy-source': '/b/src', 'if-none-match': '*' });
  assert.ok(copy.name === 'CopyObject');
  assert.deepEqual(copy.writeConditions, { ifNoneMatch: '*' });
  const etag = parse('PUT', '/b/k', { 'if-none-match': '"abc"' });
  assert.ok(etag.name === 'Unsupported', 'If-None-Match takes only * on a write');
  const del = parse('DELETE', '/b/k', { 'if-match': '"abc"' });
  assert.deepEqual(del.name === 'Unsupported' && del.operation, 'the if-match header', 'conditional deletes are not implemented');
});

test('response overrides that no header may hold are refused before anything is read', () => {
  assert.equal(code(() => parse('GET', '/b/k?response-content-type=text/plain%0D%0AX-Injected:%201')), 'InvalidArgument');
  assert.equal(code(() => parse('GET', '/b/k?response-content-disposition=a%00b')), 'InvalidArgument');
  assert.equal(code(() => parse('GET', '/b/k?response-cache-control=%E2%82%AC')), 'InvalidArgument');
  const op = parse('GET', '/b/k?response-content-disposition=attachment%3B%20filename%3D%22caf%C3%A9.csv%22');
  assert.ok(op.name === 'GetObject');
  assert.equal(op.overrides['content-disposition'], 'attachment; filename="café.csv"');
});

test('user metadata over 2 KB (names and values in UTF-8) is 400 MetadataTooLarge', () => {
  assert.equal(parse('PUT', '/b/k', { 'x-amz-meta-a': 'x'.repeat(2047) }).name, 'PutObject');
  assert.equal(code(() => parse('PUT', '/b/k', { 'x-amz-meta-ab': 'x'.repeat(2047) })), 'MetadataTooLarge');
  assert.equal(code(() => parse('PUT', '/b/k', { 'x-amz-meta-a': 'é'.repeat(1024) })), 'MetadataTooLarge');
});

test('keys are decoded once from the raw path, byte for byte', () => {
  const op = parse('GET', '/b/a%20b/%2525/c+d//e/');
  assert.ok(op.name === 'GetObject');
  assert.equal(op.key, 'a b/%25/c+d//e/');
});

test('bad keys: too long, control characters, invalid UTF-8, malformed escapes', () => {
  assert.equal(code(() => parse('GET', `/b/${'x'.repeat(1025)}`)), 'KeyTooLongError');
  assert.equal(code(() => parse('GET', `/b/${'x'.repeat(1024)}`)), 'no error');
  assert.equal(code(() => parse('GET', '/b/a%0Ab')), 'InvalidArgument');
  assert.equal(code(() => parse('GET', '/b/a%C3')), 'InvalidURI');
  assert.equal(code(() => parse('GET', '/b/a%G1')), 'InvalidURI');
});

test('virtual-host style takes the bucket from the Host header', () => {
  const op = parse('GET', '/x/y.txt', { host: 'my.bucket.s3.example.org:9000' }, 's3.example.org');
  assert.ok(op.name === 'GetObject');
  assert.equal(op.bucket, 'my.bucket');
  assert.equal(op.key, 'x/y.txt');
  assert.equal(op.style, 'virtual-host');
  assert.equal(parse('GET', '/', { host: 's3.example.org' }, 's3.example.org').name, 'ListBuckets');
});

test('list parameters: defaults, clamping, validation', () => {
  const op = parse('GET', '/b?list-type=2&prefix=a%2Fb&delimiter=%2F&max-keys=5000&start-after=x&fetch-owner=true&encoding-type=url');
  assert.ok(op.name === 'ListObjectsV2');
  assert.deepEqual(op.list, { prefix: 'a/b', delimiter: '/', maxKeys: 1000, startAfter: 'x', fetchOwner: true, encodingType: 'url' });
  const v1 = parse('GET', '/b?marker=m');
  assert.ok(v1.name === 'ListObjects');
  assert.equal(v1.list.startAfter, 'm');
  assert.equal(v1.list.maxKeys, 1000);
  assert.equal(code(() => parse('GET', '/b?list-type=2&max-keys=-1')), 'InvalidArgument');
  assert.equal(code(() => parse('GET', '/b?list-type=2&max-keys=1.5')), 'InvalidArgument');
  assert.equal(code(() => parse('GET', '/b?list-type=2&encoding-type=xml')), 'InvalidArgument');
  assert.equal(code(() => parse('GET', '/b?list-type=3')), 'InvalidArgument');
});

test('GetObject: range, conditions (invalid dates ignored) and response overrides', () => {
  const op = parse('GET', '/b/k?response-content-type=text%2Fcsv&response-cache-control=no-cache', {
    range: 'bytes=0-9',
    'if-match': '"e"',
    'if-modified-since': 'not a date',
    'if-unmodified-since': 'Wed, 21 Oct 2015 07:28:00 GMT',
  });
  assert.ok(op.name === 'GetObject');
  assert.deepEqual(op.range, { kind: 'bounded', first: 0, last: 9 });
  assert.deepEqual(op.conditions, { ifMatch: '"e"', ifUnmodifiedSince: new Date('2015-10-21T07:28:00Z') });
  assert.deepEqual(op.overrides, { 'content-type': 'text/csv', 'cache-control': 'no-cache' });
});

test('PutObject collects content headers and user metadata', () => {
  const op = parse('PUT', '/b/k', { 'content-type': 'text/csv', 'content-length': '12', 'x-amz-meta-station': 'a1', 'cache-control': 'max-age=5' });
  assert.ok(op.name === 'PutObject');
  assert.deepEqual(op.metadata, { contentType: 'text/csv', cacheControl: 'max-age=5', metadata: { station: 'a1' } });
  assert.equal(op.contentLength, 12);
});

test('aws-chunked is dropped from the stored Content-Encoding', () => {
  const chunked = parse('PUT', '/b/k', { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '5', 'content-length': '90' });
  assert.ok(chunked.name === 'PutObject');
  assert.equal(chunked.metadata.contentEncoding, undefined);
  assert.equal(chunked.contentLength, 5);
  const both = parse('PUT', '/b/k', { 'content-encoding': 'aws-chunked,gzip' });
  assert.ok(both.name === 'PutObject');
  assert.equal(both.metadata.contentEncoding, 'gzip');
});

test('the upload length is x-amz-decoded-content-length only for aws-chunked payloads', () => {
  const streaming = { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-length': '90' };
  const op = parse('PUT', '/b/k', { ...streaming, 'x-amz-decoded-content-length': '5' });
  assert.ok(op.name === 'PutObject');
  assert.equal(op.contentLength, 5);
  assert.equal(code(() => parse('PUT', '/b/k', streaming)), 'MissingContentLength', 'aws-chunked without its decoded length');
  for (const mode of ['UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', undefined]) {
    const headers: Record<string, string> = { 'content-length': '40', 'x-amz-decoded-content-length': '5' };
    if (mode) headers['x-amz-content-sha256'] = mode;
    assert.equal(code(() => parse('PUT', '/b/k', headers)), 'InvalidArgument', `a decoded length that differs from Content-Length (${mode})`);
    const same = parse('PUT', '/b/k', { ...headers, 'x-amz-decoded-content-length': '40' });
    assert.ok(same.name === 'PutObject');
    assert.equal(same.contentLength, 40);
  }
  assert.equal(code(() => parse('PUT', '/b/k', { 'content-length': '1e3' })), 'InvalidArgument');
});

test('multipart requests parse to their operations, with numbers checked once', () => {
  assert.deepEqual(parse('POST', '/b/k?uploads', { 'x-amz-checksum-algorithm': 'SHA256' }), {
    name: 'CreateMultipartUpload', bucket: 'b', style: 'path', key: 'k', metadata: { metadata: {} }, checksum: { algorithm: 'SHA256', type: 'COMPOSITE' },
  });
  assert.deepEqual(parse('POST', '/b/k?uploads', { 'x-amz-checksum-algorithm': 'crc64nvme' }), {
    name: 'CreateMultipartUpload', bucket: 'b', style: 'path', key: 'k', metadata: { metadata: {} }, checksum: { algorithm: 'CRC64NVME', type: 'FULL_OBJECT' },
  });
  for (const [algorithm, type] of [['CRC32', 'FULL_OBJECT'], ['crc32c', 'composite']]) {
    const op = parse('POST', '/b/k?uploads', { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type });
    assert.ok(op.name === 'CreateMultipartUpload');
    assert.deepEqual(op.checksum, { algorithm: algorithm.toUpperCase(), type: type.toUpperCase() });
  }
  for (const headers of [
    { 'x-amz-checksum-algorithm': 'SHA256', 'x-amz-checksum-type': 'FULL_OBJECT' },
    { 'x-amz-checksum-algorithm': 'SHA1', 'x-amz-checksum-type': 'FULL_OBJECT' },
    { 'x-amz-checksum-algorithm': 'CRC64NVME', 'x-amz-checksum-type': 'COMPOSITE' },
    { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'PARTIAL' },
    { 'x-amz-checksum-type': 'FULL_OBJECT' },
  ] as Array<Record<string, string>>) {
    assert.equal(code(() => parse('POST', '/b/k?uploads', headers)), 'InvalidRequest', JSON.stringify(headers));
  }
  const guarded = parse('POST', '/b/k?uploadId=U', { 'if-none-match': '*' });
  assert.ok(guarded.name === 'CompleteMultipartUpload');
  assert.deepEqual(guarded.writeConditions, { ifNoneMatch: '*' });
  assert.equal(parse('POST', '/b/k?uploadId=U', { 'if-none-match': '"abc"' }).name, 'Unsupported');
  assert.equal(code(() => parse('POST', '/b/k?uploads', { 'x-amz-checksum-algorithm': 'MD7' })), 'InvalidRequest');
  assert.deepEqual(parse('PUT', '/b/k?partNumber=7&uploadId=U', { 'content-length': '5' }), {
    name: 'UploadPart', bucket: 'b', style: 'path', key: 'k', uploadId: 'U', partNumber: 7, contentLength: 5,
  });
  for (const bad of ['0', '10001', '-1', 'x', '']) assert.equal(code(() => parse('PUT', `/b/k?partNumber=${bad}&uploadId=U`)), 'InvalidArgument', bad);
  const copy = parse('PUT', '/b/k?partNumber=2&uploadId=U', { 'x-amz-copy-source': '/src/a', 'x-amz-copy-source-range': 'bytes=0-9' });
  assert.ok(copy.name === 'UploadPartCopy');
  assert.deepEqual([copy.source, copy.sourceRange], [{ bucket: 'src', key: 'a' }, { first: 0, last: 9 }]);
  assert.equal(code(() => parse('PUT', '/b/k?partNumber=2&uploadId=U', { 'x-amz-copy-source': '/src/a', 'x-amz-copy-source-range': 'bytes=9-0' })), 'InvalidArgument');
  assert.equal(parse('POST', '/b/k?uploadId=U').name, 'CompleteMultipartUpload');
  assert.equal(parse('DELETE', '/b/k?uploadId=U').name, 'AbortMultipartUpload');
  assert.deepEqual(parse('GET', '/b/k?uploadId=U&max-parts=5000&part-number-marker=3'), {
    name: 'ListParts', bucket: 'b', style: 'path', key: 'k', uploadId: 'U', maxParts: 1000, partNumberMarker: 3,
  });
  assert.deepEqual(parse('GET', '/b?uploads&prefix=p/&delimiter=/&key-marker=p/a&upload-id-marker=X&max-uploads=2'), {
    name: 'ListMultipartUploads', bucket: 'b', style: 'path',
    uploads: { prefix: 'p/', delimiter: '/', keyMarker: 'p/a', uploadIdMarker: 'X', maxUploads: 2 },
  });
  const part = parse('GET', '/b/k?partNumber=3');
  assert.ok(part.name === 'GetObject' && part.partNumber === 3);
  assert.equal(code(() => parse('GET', '/b/k?partNumber=3', { range: 'bytes=0-1' })), 'InvalidRequest');
  assert.equal(code(() => parse('HEAD', '/b/k?partNumber=0')), 'InvalidArgument');
});
