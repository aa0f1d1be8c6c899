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

describe('validateConfig server connection and upload limits', () => {
  it('keeps explicit values, 0 switching the upload checks off', () => {
    const { server } = validateConfig(
      { server: { maxConnections: 10, headersTimeoutSeconds: 5, bodyIdleTimeoutSeconds: 0, bodyMinBytesPerSecond: 0, bodyMinRateGraceSeconds: 60 } },
      options,
    );
    assert.deepEqual(
      [server.maxConnections, server.headersTimeoutSeconds, server.bodyIdleTimeoutSeconds, server.bodyMinBytesPerSecond, server.bodyMinRateGraceSeconds],
      [10, 5, 0, 0, 60],
    );
  });

  it('reports every bad limit at once', () => {
    assert.deepEqual(
      linesOf({
        server: { maxConnections: 0, headersTimeoutSeconds: 0, bodyIdleTimeoutSeconds: -1, bodyMinBytesPerSecond: 1.5, bodyMinRateGraceSeconds: 'soon' },
      }),
      [
        'server.maxConnections: must be at least 1',
        'server.headersTimeoutSeconds: must be at least 1',
        'server.bodyIdleTimeoutSeconds: must be at least 0',
        'server.bodyMinBytesPerSecond: expected a whole number, got a fractional number',
        'server.bodyMinRateGraceSeconds: expected a number, got a string',
      ],
    );
  });
});
