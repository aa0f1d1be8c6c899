import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareKeys, laterKey } from './key-order.ts';

const utf8 = new TextEncoder();

function compareBytes(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

test('compareKeys orders ASCII keys like plain string comparison', () => {
  assert.ok(compareKeys('a', 'b') < 0);
  assert.ok(compareKeys('b', 'a') > 0);
  assert.equal(compareKeys('abc', 'abc'), 0);
  assert.ok(compareKeys('a', 'ab') < 0);
  assert.ok(compareKeys('a-c', 'a/b') < 0, "'-' (0x2d) sorts before '/' (0x2f)");
  assert.ok(compareKeys('', 'a') < 0);
});

test('compareKeys puts an astral character after U+E000–U+FFFF, as UTF-8 bytes do', () => {
  const astral = '\u{1F600}'; // UTF-16 starts with 0xD83D, below 0xE000
  const privateUse = '\uE000';
  const lastBmp = '\uFFFD';
  assert.ok(astral < privateUse, 'precondition: JS < disagrees with byte order');
  assert.ok(compareKeys(astral, privateUse) > 0);
  assert.ok(compareKeys(privateUse, astral) < 0);
  assert.ok(compareKeys(lastBmp, astral) < 0);
  assert.ok(compareKeys('\uD7FF', astral) < 0);
  assert.ok(compareKeys('x\u{10000}', 'x\u{10FFFF}') < 0);
});

test('compareKeys agrees in sign with UTF-8 byte comparison over a mixed sample', () => {
  const sample = ['', 'a', 'A', 'a/', 'a/b', 'a-c', 'é', 'e\u0301', '\u{1F600}', '\u{1F601}', '\uE000', '\uFFFF',
    '\u00FF', '\u0100', '\u07FF', '\u0800', '\uD7FF', 'z\u{10348}', 'z\uFB01', '~', '\u007F', '\u0080'];
  for (const a of sample) {
    for (const b of sample) {
      assert.equal(Math.sign(compareKeys(a, b)), Math.sign(compareBytes(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
});

test('laterKey picks the later key in list order and tolerates absent values', () => {
  assert.equal(laterKey(undefined, undefined), undefined);
  assert.equal(laterKey('a', undefined), 'a');
  assert.equal(laterKey(undefined, 'b'), 'b');
  assert.equal(laterKey('a', 'b'), 'b');
  assert.equal(laterKey('\u{1F600}', '\uE000'), '\u{1F600}');
});
