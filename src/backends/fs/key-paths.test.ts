import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeName, encodeKey, encodeSegment, isHashedNameOf, needsEscape, segmentDigest } from './key-paths.ts';

const raw = (name: string) => Buffer.from(name, 'utf8');

test('ordinary segments are literal file names', () => {
  for (const segment of ['a', 'file.txt', 'with space', '* % ~ # = + :', 'é', '\u{1F600}', '...', '.hidden', '.sluic', 'm'.repeat(255), '\\']) {
    assert.equal(needsEscape(segment), false, segment);
    assert.deepEqual(encodeSegment(segment), { name: segment });
  }
});

test('segments a file system cannot hold literally are escaped', () => {
  assert.deepEqual(encodeKey('a//b').names, ['a', '.sluice~', 'b']);
  assert.deepEqual(encodeKey('dir/').names, ['dir', '.sluice~']);
  assert.deepEqual(encodeKey('../x').names, ['.sluice~Li4', 'x']);
  assert.deepEqual(encodeKey('./a').names, ['.sluice~Lg', 'a']);
  assert.deepEqual(encodeKey('.sluice/x').names, ['.sluice~LnNsdWljZQ', 'x']);
  const reserved = '.sluice' + 'x'.repeat(100);
  assert.equal(encodeSegment(reserved).name, '.sluice~' + Buffer.from(reserved).toString('base64url'));
  assert.equal(encodeSegment('L'.repeat(256)).hashed?.segment, 'L'.repeat(256), 'over 255 bytes and too long to escape');
});

test('no encoded name is empty, a dot name, longer than 255 bytes, or contains a slash', () => {
  const segments = ['', '.', '..', '.sluice', '.sluice~', 'x'.repeat(1000), 'é'.repeat(130), '\u{1F600}'.repeat(100), 'a'];
  for (const segment of segments) {
    const { name } = encodeSegment(segment);
    assert.ok(name !== '' && name !== '.' && name !== '..', segment);
    assert.ok(Buffer.byteLength(name) <= 255, `${segment.slice(0, 10)}… → ${name.length}`);
    assert.ok(!name.includes('/'));
  }
});

test('segments too long to escape within 255 bytes get a digest name recorded separately', () => {
  const segment = 'é'.repeat(200);
  const encoded = encodeSegment(segment);
  assert.equal(encoded.name, `.sluice#${segmentDigest(segment)}`);
  assert.deepEqual(encoded.hashed, { digest: segmentDigest(segment), segment });
  assert.deepEqual(encodeKey(`a/${segment}/b`).hashed, [{ digest: segmentDigest(segment), segment }]);
  assert.equal(isHashedNameOf(segmentDigest(segment), segment), true);
  assert.equal(isHashedNameOf(segmentDigest(segment), segment + 'x'), false);
  assert.equal(isHashedNameOf(segmentDigest('short'), 'short'), false, 'a short segment is never hashed');
});

test('decodeName inverts encodeSegment', () => {
  for (const segment of ['a', '', '.', '..', '.sluice', '.sluice~Li4', 'L'.repeat(256), 'é', '\u{1F600}']) {
    const { name, hashed } = encodeSegment(segment);
    const decoded = decodeName(raw(name));
    if (hashed) assert.deepEqual(decoded, { kind: 'hashed', digest: hashed.digest });
    else assert.deepEqual(decoded, { kind: 'segment', segment }, JSON.stringify(segment));
  }
});

test('decodeName hides private and non-canonical reserved names, and invalid UTF-8', () => {
  for (const name of ['.sluice', '.sluicex', '.sluice~YQ' /* "a" needs no escape */, '.sluice~Li4=', '.sluice~!!',
    '.sluice~_w' /* invalid UTF-8 */, '.sluice#abc', `.sluice#${'A'.repeat(64)}`]) {
    assert.deepEqual(decodeName(raw(name)), { kind: 'hidden' }, name);
  }
  assert.deepEqual(decodeName(Uint8Array.of(0x61, 0xff)), { kind: 'hidden' });
});

test('segments naming the private folder in any case are escaped, so case-insensitive file systems cannot reach it', () => {
  // Upper-casing folds these to `.SLUICE` too (long s, dotless i), as case-insensitive file systems may.
  for (const segment of ['.SLUICE', '.Sluice', '.sLuIcE', '.SLUICE-notes', '.Sluice~Li4', '.\u017Fluice', '.slu\u0131ce']) {
    const [name] = encodeKey(`${segment}/meta/x`).names;
    assert.equal(name, '.sluice~' + Buffer.from(segment).toString('base64url'), segment);
    assert.deepEqual(decodeName(raw(name!)), { kind: 'segment', segment });
  }
  for (const name of ['.SLUICE', '.Sluice', '.SLUICE~Li4', '.Sluice#' + 'a'.repeat(64)]) {
    assert.deepEqual(decodeName(raw(name)), { kind: 'hidden' }, `${name} is no canonical name of any key`);
  }
});
