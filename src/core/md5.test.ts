import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createMd5, md5Hex } from './md5.ts';

const text = new TextEncoder();

test('md5 matches the RFC 1321 test suite', () => {
  const vectors: [string, string][] = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ];
  for (const [input, digest] of vectors) assert.equal(md5Hex(text.encode(input)), digest, JSON.stringify(input));
});

test('md5 agrees with node:crypto around block and padding boundaries', () => {
  for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 65537]) {
    const bytes = randomBytes(length);
    assert.equal(md5Hex(bytes), createHash('md5').update(bytes).digest('hex'), `length ${length}`);
  }
});

test('incremental updates in arbitrary chunks give the one-shot digest', () => {
  const bytes = randomBytes(10_000);
  const expected = createHash('md5').update(bytes).digest('hex');
  for (const chunk of [1, 3, 63, 64, 65, 777]) {
    const hash = createMd5();
    for (let i = 0; i < bytes.length; i += chunk) hash.update(bytes.subarray(i, i + chunk));
    assert.equal(hash.digestHex(), expected, `chunks of ${chunk}`);
  }
  const hash = createMd5();
  hash.update(new Uint8Array(0));
  hash.update(bytes);
  hash.update(new Uint8Array(0));
  assert.equal(hash.digestHex(), expected);
});

test('a finished hash refuses further use', () => {
  const hash = createMd5();
  hash.digestHex();
  assert.throws(() => hash.update(new Uint8Array(1)));
  assert.throws(() => hash.digestHex());
});
