import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentRange, parseRangeHeader, resolveRange } from './range.ts';

test('parseRangeHeader reads the three single-range forms', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-9'), { kind: 'bounded', first: 0, last: 9 });
  assert.deepEqual(parseRangeHeader('bytes=5-'), { kind: 'from', first: 5 });
  assert.deepEqual(parseRangeHeader('bytes=-3'), { kind: 'suffix', length: 3 });
  assert.deepEqual(parseRangeHeader('bytes=-0'), { kind: 'suffix', length: 0 });
  assert.deepEqual(parseRangeHeader('bytes=7-7'), { kind: 'bounded', first: 7, last: 7 });
});

test('parseRangeHeader tolerates case and optional whitespace', () => {
  assert.deepEqual(parseRangeHeader('Bytes=1-2'), { kind: 'bounded', first: 1, last: 2 });
  assert.deepEqual(parseRangeHeader(' bytes = 1 - 2 '), { kind: 'bounded', first: 1, last: 2 });
});

test('parseRangeHeader ignores headers S3 does not honour', () => {
  for (const value of [undefined, '', 'bytes=', 'bytes=-', 'bytes=a-b', 'bytes=5-2', 'bytes=0-1,4-5', 'items=0-1',
    'bytes 0-1', 'bytes=0-1-2', 'bytes=--1', 'bytes=1.5-2', 'bytes=0x1-2', 'bytes=99999999999999999999-1']) {
    assert.equal(parseRangeHeader(value), undefined, String(value));
  }
});

test('parseRangeHeader saturates numbers beyond 2^53 instead of losing precision', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-99999999999999999999'), { kind: 'bounded', first: 0, last: Number.MAX_SAFE_INTEGER });
  assert.deepEqual(parseRangeHeader('bytes=-99999999999999999999'), { kind: 'suffix', length: Number.MAX_SAFE_INTEGER });
  assert.deepEqual(parseRangeHeader('bytes=0009-00010'), { kind: 'bounded', first: 9, last: 10 });
});

test('resolveRange serves bounded and open ranges, clamping the end to the object', () => {
  assert.deepEqual(resolveRange({ kind: 'bounded', first: 0, last: 9 }, 100), { start: 0, end: 9 });
  assert.deepEqual(resolveRange({ kind: 'bounded', first: 90, last: 200 }, 100), { start: 90, end: 99 });
  assert.deepEqual(resolveRange({ kind: 'from', first: 99 }, 100), { start: 99, end: 99 });
  assert.deepEqual(resolveRange({ kind: 'from', first: 0 }, 1), { start: 0, end: 0 });
});

test('resolveRange serves suffixes, the whole object when the suffix is longer', () => {
  assert.deepEqual(resolveRange({ kind: 'suffix', length: 10 }, 100), { start: 90, end: 99 });
  assert.deepEqual(resolveRange({ kind: 'suffix', length: 500 }, 100), { start: 0, end: 99 });
});

test('resolveRange reports unsatisfiable ranges', () => {
  assert.equal(resolveRange({ kind: 'bounded', first: 100, last: 200 }, 100), 'unsatisfiable');
  assert.equal(resolveRange({ kind: 'from', first: 100 }, 100), 'unsatisfiable');
  assert.equal(resolveRange({ kind: 'suffix', length: 0 }, 100), 'unsatisfiable');
});

test('resolveRange finds every range of an empty object unsatisfiable', () => {
  assert.equal(resolveRange({ kind: 'bounded', first: 0, last: 0 }, 0), 'unsatisfiable');
  assert.equal(resolveRange({ kind: 'from', first: 0 }, 0), 'unsatisfiable');
  assert.equal(resolveRange({ kind: 'suffix', length: 5 }, 0), 'unsatisfiable');
});

test('contentRange formats the served range', () => {
  assert.equal(contentRange({ start: 2, end: 5 }, 10), 'bytes 2-5/10');
});
