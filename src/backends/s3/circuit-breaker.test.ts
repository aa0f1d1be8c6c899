/** The circuit breaker's state machine, on a fake clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendUnavailableError } from '../../core/backend-errors.ts';
import { CircuitBreaker } from './circuit-breaker.ts';

function breaker(threshold = 3, coolDownMs = 10_000) {
  let now = 0;
  const events: string[] = [];
  const b = new CircuitBreaker({
    name: 'c',
    failureThreshold: threshold,
    coolDownMs,
    now: () => now,
    log: { write: (e) => events.push(`${e['from']}->${e['to']}`) },
  });
  return { b, events, advance: (ms: number) => void (now += ms) };
}

const fastFails = (fn: () => void) => assert.throws(fn, (e: unknown) => e instanceof BackendUnavailableError && e.retryAfterSeconds !== undefined);

test('opens after the threshold of consecutive failures; an answer in between resets the count', () => {
  const { b } = breaker(3);
  b.admit('op'); b.failed();
  b.admit('op'); b.failed();
  b.admit('op'); b.succeeded();
  assert.equal(b.snapshot().consecutiveFailures, 0);
  for (let i = 0; i < 3; i++) {
    b.admit('op');
    b.failed();
  }
  assert.equal(b.snapshot().state, 'open');
  fastFails(() => b.admit('op'));
});

test('after the cool-down one probe goes; the others fail fast until its verdict', () => {
  const { b, events, advance } = breaker(1, 10_000);
  b.admit('op'); b.failed();
  advance(9_000);
  assert.throws(() => b.admit('op'), (e: unknown) => e instanceof BackendUnavailableError && e.retryAfterSeconds === 1);
  advance(1_000);
  b.admit('probe');
  assert.equal(b.snapshot().state, 'half-open');
  fastFails(() => b.admit('other'));
  b.succeeded();
  assert.equal(b.snapshot().state, 'closed');
  b.admit('op');
  assert.deepEqual(events, ['closed->open', 'open->half-open', 'half-open->closed']);
});

test('a failed probe reopens for a full cool-down; a probe without verdict frees its slot', () => {
  const { b, advance } = breaker(1, 5_000);
  b.admit('op'); b.failed();
  advance(5_000);
  b.admit('probe'); b.failed();
  assert.equal(b.snapshot().state, 'open');
  assert.equal(b.snapshot().retryAt, 10_000);
  advance(5_000);
  b.admit('probe'); b.released();
  b.admit('next probe');
  assert.equal(b.snapshot().state, 'half-open');
});
