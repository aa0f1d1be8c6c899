import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

describe('validateConfig server.allowedRegions', () => {
  it('is absent by default (any region) and kept when given', () => {
    assert.equal(validateConfig({}, options).server.allowedRegions, undefined);
    assert.deepEqual(validateConfig({ server: { allowedRegions: ['eu-central-1', 'us-east-1'] } }, options).server.allowedRegions, [
      'eu-central-1',
      'us-east-1',
    ]);
  });

  it('refuses an empty list and malformed region names', () => {
    assert.deepEqual(linesOf({ server: { allowedRegions: [] } }), ['server.allowedRegions: list at least one region, or leave the field out']);
    assert.equal(linesOf({ server: { allowedRegions: ['Not A Region'] } }).length, 1);
  });
});
