import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKeyBytes, isWellFormed, validateKey } from './keys.ts';

test('validateKey accepts the odd but legal keys S3 accepts', () => {
  for (const key of ['a', '* % ~ # = + :', 'with space', 'a//b', 'dir/', '..', './x', '../x', 'a/../b', '/leading',
    'é', 'e\u0301', '\u{1F600}', '\uFFFD', '%2F', '?&\\"\'', 'x'.repeat(1024), 'é'.repeat(512)]) {
    assert.equal(validateKey(key), null, JSON.stringify(key));
  }
});

test('validateKey rejects the empty key', () => {
  assert.match(validateKey('') ?? '', /empty/);
});

test('validateKey rejects keys over 1024 UTF-8 bytes, counting multi-byte characters', () => {
  assert.match(validateKey('x'.repeat(1025)) ?? '', /1024/);
  assert.match(validateKey('é'.repeat(512) + 'x') ?? '', /1024/);
  assert.match(validateKey('\u{1F600}'.repeat(256) + 'x') ?? '', /1024/);
  assert.equal(validateKey('\u{1F600}'.repeat(256)), null);
});

test('validateKey rejects lone surrogates', () => {
  assert.match(validateKey('a\uD800') ?? '', /surrogate/);
  assert.match(validateKey('\uDC00b') ?? '', /surrogate/);
  assert.match(validateKey('\uD800\uD800') ?? '', /surrogate/);
});

test('validateKey rejects control characters but not DEL-adjacent printable characters', () => {
  for (const c of ['\u0000', '\u0001', '\n', '\r', '\t', '\u001F', '\u007F']) {
    assert.match(validateKey(`a${c}b`) ?? '', /control/, JSON.stringify(c));
  }
  assert.equal(validateKey('~\u0080'), null);
});

test('decodeKeyBytes percent-decodes, keeping plus literal', () => {
  assert.equal(decodeKeyBytes('a%20b'), 'a b');
  assert.equal(decodeKeyBytes('a+b'), 'a+b');
  assert.equal(decodeKeyBytes('%2F'), '/');
  assert.equal(decodeKeyBytes('%252F'), '%2F');
  assert.equal(decodeKeyBytes('%c3%a9'), 'é');
  assert.equal(decodeKeyBytes('%F0%9F%98%80'), '\u{1F600}');
  assert.equal(decodeKeyBytes('plain'), 'plain');
  assert.equal(decodeKeyBytes('%00'), '\u0000', 'decoding is not validation');
});

test('decodeKeyBytes takes unescaped non-ASCII text as its UTF-8 bytes', () => {
  assert.equal(decodeKeyBytes('é%20\u{1F600}'), 'é \u{1F600}');
  assert.equal(decodeKeyBytes('%C3é'), null, 'a dangling lead byte followed by text is invalid UTF-8');
});

test('decodeKeyBytes rejects malformed escapes', () => {
  for (const raw of ['%', '%2', 'a%zz', '%G0', 'x%2']) assert.equal(decodeKeyBytes(raw), null, raw);
});

test('decodeKeyBytes rejects invalid UTF-8', () => {
  for (const raw of ['%FF', '%C3', '%C3%28', '%ED%A0%80', '%C0%AF', '%F8%88%80%80%80']) {
    assert.equal(decodeKeyBytes(raw), null, raw);
  }
  assert.equal(decodeKeyBytes('a\uD800'), null, 'a lone surrogate in the raw text');
});

test('isWellFormed detects lone surrogates only', () => {
  assert.equal(isWellFormed('a\u{1F600}b'), true);
  assert.equal(isWellFormed('\uD83D'), false);
  assert.equal(isWellFormed('\uDE00\uD83D'), false);
});
