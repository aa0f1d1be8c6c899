import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolateEnv } from './env.ts';

describe('interpolateEnv', () => {
  it('replaces placeholders in nested strings and leaves other values alone', () => {
    const result = interpolateEnv(
      { a: '${env:A}', list: ['x-${env:B}-y', 3, true, null], nested: { c: 'plain' } },
      { A: 'one', B: 'two' },
    );
    assert.deepEqual(result.value, { a: 'one', list: ['x-two-y', 3, true, null], nested: { c: 'plain' } });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.failedPaths, []);
  });

  it('does not interpolate keys', () => {
    const result = interpolateEnv({ '${env:A}': 'v' }, { A: 'one' });
    assert.deepEqual(result.value, { '${env:A}': 'v' });
  });

  it('substitutes once: a value containing a placeholder stays literal', () => {
    const result = interpolateEnv({ s: '${env:A}' }, { A: 'has ${env:B} inside' });
    assert.deepEqual(result.value, { s: 'has ${env:B} inside' });
    assert.deepEqual(result.problems, []);
  });

  it('treats $${ as a literal ${', () => {
    const result = interpolateEnv({ s: 'cost $${env:A} and ${env:A}' }, { A: '5' });
    assert.deepEqual(result.value, { s: 'cost ${env:A} and 5' });
  });

  it('accepts a variable set to the empty string', () => {
    assert.deepEqual(interpolateEnv({ s: '[${env:EMPTY}]' }, { EMPTY: '' }).value, { s: '[]' });
  });

  it('reports unset variables and unsupported placeholders with their paths', () => {
    const result = interpolateEnv({ server: { tokenSecret: '${env:NOPE}' }, list: ['${HOME}', '${env:bad-name}'] }, {});
    assert.deepEqual(result.problems.map((p) => [p.path, p.message.split(':')[0]]), [
      [['server', 'tokenSecret'], 'environment variable NOPE is not set'],
      [['list', 0], 'unsupported placeholder'],
      [['list', 1], 'unsupported placeholder'],
    ]);
    assert.deepEqual(result.failedPaths, [['server', 'tokenSecret'], ['list', 0], ['list', 1]]);
  });
});
