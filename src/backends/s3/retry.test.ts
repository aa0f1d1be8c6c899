/** Backoff delays and which answers are retried. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, isRetryableAnswer, sleepUnlessAborted } from './retry.ts';

test('backoffDelay grows exponentially, is capped, and is jittered below the ceiling', () => {
  const top = () => 0.999999;
  assert.equal(backoffDelay(1, 100, 5000, top), 99);
  assert.equal(backoffDelay(2, 100, 5000, top), 199);
  assert.equal(backoffDelay(3, 100, 5000, top), 399);
  assert.equal(backoffDelay(10, 100, 5000, top), 4999);
  assert.equal(backoffDelay(3, 100, 5000, () => 0), 0);
  assert.equal(backoffDelay(3, 100, 5000, () => 0.5), 200);
});

test('isRetryableAnswer: 5xx and SlowDown yes, other 4xx no', () => {
  assert.equal(isRetryableAnswer(500, 'InternalError'), true);
  assert.equal(isRetryableAnswer(503, 'SlowDown'), true);
  assert.equal(isRetryableAnswer(400, 'SlowDown'), true);
  assert.equal(isRetryableAnswer(404, 'NoSuchKey'), false);
  assert.equal(isRetryableAnswer(403, 'AccessDenied'), false);
  assert.equal(isRetryableAnswer(400, undefined), false);
});

test('sleepUnlessAborted ends early with the abort reason', async () => {
  const controller = new AbortController();
  const never = () => new Promise<void>(() => {});
  const waiting = sleepUnlessAborted(never, 1000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(waiting, /stop/);
  await sleepUnlessAborted(async () => {}, 5, undefined);
});
