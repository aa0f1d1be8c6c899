import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerValueText } from './header-values.ts';

const latin1 = (bytes: number[]) => String.fromCharCode(...bytes);

test('ASCII values are returned as they are', () => {
  assert.equal(headerValueText('text/plain; charset=utf-8'), 'text/plain; charset=utf-8');
});

test('bytes that are valid UTF-8 read as the text they encode', () => {
  assert.equal(headerValueText(latin1([0x5a, 0x6f, 0xc3, 0xab])), 'Zoë');
  assert.equal(headerValueText(latin1([0xe2, 0x82, 0xac, 0x31])), '€1');
});

test('bytes that are not UTF-8 keep their Latin-1 reading', () => {
  assert.equal(headerValueText(latin1([0x5a, 0x6f, 0xeb])), 'Zoë');
  assert.equal(headerValueText(latin1([0xc3, 0x28])), 'Ã(');
});

test('a value already holding characters beyond Latin-1 is left alone', () => {
  assert.equal(headerValueText('Zoë – 日本'), 'Zoë – 日本');
});
