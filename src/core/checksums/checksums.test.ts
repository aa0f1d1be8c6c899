import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesBody, readAll } from '../body.ts';
import { S3Error } from '../errors/s3-error.ts';
import { requestedChecksum, verifyChecksum } from './checksums.ts';
import { createCrc32, createCrc32c, createCrc64Nvme } from './crc.ts';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const check = new TextEncoder().encode('123456789');

test('CRC check values from the CRC catalogue ("123456789")', () => {
  for (const [create, expected] of [[createCrc32, 'cbf43926'], [createCrc32c, 'e3069283'], [createCrc64Nvme, 'ae8b14860a799888']] as const) {
    const whole = create();
    whole.update(check);
    assert.equal(hex(whole.digest()), expected);
    const split = create();
    split.update(check.subarray(0, 4));
    split.update(check.subarray(4));
    assert.equal(hex(split.digest()), expected, 'incremental updates give the same digest');
  }
});

async function upload(body: string, headers: Record<string, string>, trailers?: Record<string, string>): Promise<string> {
  const request = requestedChecksum(headers, () => trailers);
  assert.ok(request);
  const verified = verifyChecksum(bytesBody(body), request);
  await readAll(verified.stream);
  return verified.computed()!;
}

test('header checksums: a match passes and reports the value; a mismatch fails with BadDigest', async () => {
  assert.equal(await upload('hello', { 'x-amz-checksum-crc32': 'NhCmhg==' }), 'NhCmhg==');
  assert.equal(await upload('hello', { 'x-amz-checksum-sha256': 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=' }), 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=');
  assert.equal(await upload('hello', { 'x-amz-checksum-sha1': 'qvTGHdzF6KLavt4PO0gs2a6pQ00=' }), 'qvTGHdzF6KLavt4PO0gs2a6pQ00=');
  await assert.rejects(upload('hellO', { 'x-amz-checksum-crc32': 'NhCmhg==' }), (e: unknown) => e instanceof S3Error && e.code === 'BadDigest');
});

test('trailer checksums are read once the body has ended; a missing trailer is refused', async () => {
  const headers = { 'x-amz-trailer': 'x-amz-checksum-crc32c' };
  const good = await upload('hello', { 'x-amz-checksum-crc32c': 'mnG7TA==' });
  assert.equal(await upload('hello', headers, { 'x-amz-checksum-crc32c': good }), good);
  await assert.rejects(upload('hello', headers, { 'x-amz-checksum-crc32c': 'AAAAAA==' }), (e: unknown) => e instanceof S3Error && e.code === 'BadDigest');
  await assert.rejects(upload('hello', headers, {}), (e: unknown) => e instanceof S3Error && e.code === 'InvalidRequest');
});

test('unknown algorithms are refused; no checksum headers means none requested', () => {
  assert.throws(() => requestedChecksum({ 'x-amz-checksum-md4': 'x' }, () => undefined), (e: unknown) => e instanceof S3Error && e.code === 'InvalidRequest');
  assert.equal(requestedChecksum({ 'content-type': 'text/plain' }, () => undefined), undefined);
});
