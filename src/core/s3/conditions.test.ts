import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotModifiedError, PreconditionFailedError } from '../backend-errors.ts';
import { applyConditions, etagListMatches, evaluateConditions } from './conditions.ts';

const etag = '"0cc175b9c0f1b6a831c399e269772661"';
const lastModified = new Date('2024-05-01T12:00:00.750Z');
const info = { etag, lastModified };
const sameSecond = new Date('2024-05-01T12:00:00.000Z');
const before = new Date('2024-05-01T11:59:59.000Z');
const after = new Date('2024-05-01T12:00:01.000Z');

test('no conditions pass', () => {
  assert.equal(evaluateConditions(info, {}), 'ok');
});

test('If-Match passes on the same tag and fails on another', () => {
  assert.equal(evaluateConditions(info, { ifMatch: etag }), 'ok');
  assert.equal(evaluateConditions(info, { ifMatch: '"other"' }), 'precondition-failed');
});

test('If-Match accepts *, lists, weak prefixes and unquoted values', () => {
  assert.equal(evaluateConditions(info, { ifMatch: '*' }), 'ok');
  assert.equal(evaluateConditions(info, { ifMatch: `"x", ${etag}` }), 'ok');
  assert.equal(evaluateConditions(info, { ifMatch: `W/${etag}` }), 'ok');
  assert.equal(evaluateConditions(info, { ifMatch: '0cc175b9c0f1b6a831c399e269772661' }), 'ok');
  assert.equal(evaluateConditions(info, { ifMatch: 'x, 0cc175b9c0f1b6a831c399e269772661' }), 'ok');
  assert.equal(evaluateConditions(info, { ifMatch: '"0cc175b9c0f1b6a831c399e26977266"' }), 'precondition-failed');
  assert.equal(evaluateConditions(info, { ifMatch: '' }), 'precondition-failed');
});

test('If-Unmodified-Since fails only when the object changed after the date, at second granularity', () => {
  assert.equal(evaluateConditions(info, { ifUnmodifiedSince: sameSecond }), 'ok');
  assert.equal(evaluateConditions(info, { ifUnmodifiedSince: after }), 'ok');
  assert.equal(evaluateConditions(info, { ifUnmodifiedSince: before }), 'precondition-failed');
});

test('If-None-Match matching means not modified', () => {
  assert.equal(evaluateConditions(info, { ifNoneMatch: etag }), 'not-modified');
  assert.equal(evaluateConditions(info, { ifNoneMatch: '*' }), 'not-modified');
  assert.equal(evaluateConditions(info, { ifNoneMatch: `"a", W/${etag}` }), 'not-modified');
  assert.equal(evaluateConditions(info, { ifNoneMatch: '"other"' }), 'ok');
});

test('If-Modified-Since is not modified when the object is not newer, at second granularity', () => {
  assert.equal(evaluateConditions(info, { ifModifiedSince: sameSecond }), 'not-modified');
  assert.equal(evaluateConditions(info, { ifModifiedSince: after }), 'not-modified');
  assert.equal(evaluateConditions(info, { ifModifiedSince: before }), 'ok');
});

test('a true If-Match makes a false If-Unmodified-Since irrelevant', () => {
  assert.equal(evaluateConditions(info, { ifMatch: etag, ifUnmodifiedSince: before }), 'ok');
  assert.equal(evaluateConditions(info, { ifMatch: '"other"', ifUnmodifiedSince: after }), 'precondition-failed');
});

test('a non-matching If-None-Match makes If-Modified-Since irrelevant', () => {
  assert.equal(evaluateConditions(info, { ifNoneMatch: '"other"', ifModifiedSince: after }), 'ok');
  assert.equal(evaluateConditions(info, { ifNoneMatch: etag, ifModifiedSince: before }), 'not-modified');
});

test('precondition failure wins over not-modified', () => {
  assert.equal(evaluateConditions(info, { ifMatch: '"other"', ifNoneMatch: etag }), 'precondition-failed');
  assert.equal(evaluateConditions(info, { ifUnmodifiedSince: before, ifModifiedSince: after }), 'precondition-failed');
  assert.equal(evaluateConditions(info, { ifMatch: etag, ifModifiedSince: after }), 'not-modified');
});

test('invalid dates are ignored', () => {
  const invalid = new Date(Number.NaN);
  assert.equal(evaluateConditions(info, { ifModifiedSince: invalid, ifUnmodifiedSince: invalid }), 'ok');
});

test('applyConditions throws the typed errors', () => {
  assert.doesNotThrow(() => applyConditions(info, undefined));
  assert.doesNotThrow(() => applyConditions(info, { ifMatch: etag }));
  assert.throws(() => applyConditions(info, { ifMatch: '"x"' }), (e: unknown) =>
    e instanceof PreconditionFailedError && e.condition === 'If-Match');
  assert.throws(() => applyConditions(info, { ifUnmodifiedSince: before }), (e: unknown) =>
    e instanceof PreconditionFailedError && e.condition === 'If-Unmodified-Since');
  assert.throws(() => applyConditions(info, { ifNoneMatch: etag }), (e: unknown) =>
    e instanceof NotModifiedError && e.etag === etag && e.lastModified === lastModified);
});

test('etagListMatches handles commas inside quoted tags and unterminated quotes', () => {
  assert.equal(etagListMatches('"a,b"', '"a,b"'), true);
  assert.equal(etagListMatches('"a,b"', '"a"'), false);
  assert.equal(etagListMatches('"abc', '"abc"'), true);
  assert.equal(etagListMatches(' , ,', '"abc"'), false);
});
