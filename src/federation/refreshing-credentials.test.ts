import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Expiring, RefreshingCredentials } from './refreshing-credentials.ts';

const MIN = 60_000;

/** A fetch whose answers the test releases one at a time. */
function controlledFetch(clock: { now: number }) {
  const pending: { resolve(value: Expiring<number>): void; reject(error: Error): void }[] = [];
  let issued = 0;
  return {
    calls: () => issued,
    fetch: () =>
      new Promise<Expiring<number>>((resolve, reject) => {
        issued++;
        pending.push({ resolve, reject });
      }),
    succeed(lifetimeMs = 60 * MIN) {
      const next = pending.shift()!;
      next.resolve({ value: issued, expiresAt: new Date(clock.now + lifetimeMs) });
    },
    fail() {
      pending.shift()!.reject(new Error('denied'));
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('RefreshingCredentials', () => {
  test('a cold miss is single-flighted', async () => {
    const clock = { now: 0 };
    const source = controlledFetch(clock);
    const cache = new RefreshingCredentials(source.fetch, { now: () => new Date(clock.now) });
    const callers = Array.from({ length: 50 }, () => cache.get());
    await tick();
    assert.equal(source.calls(), 1);
    source.succeed();
    assert.deepEqual(await Promise.all(callers), Array(50).fill(1));
  });

  test('inside the refresh window one caller starts a renewal and nobody waits for it', async () => {
    const clock = { now: 0 };
    const source = controlledFetch(clock);
    const cache = new RefreshingCredentials(source.fetch, { now: () => new Date(clock.now) });
    const first = cache.get();
    await tick();
    source.succeed();
    assert.equal(await first, 1);
    clock.now = 56 * MIN;
    // The renewal is outstanding: every caller gets the current value straight away.
    assert.deepEqual(await Promise.all(Array.from({ length: 20 }, () => cache.get())), Array(20).fill(1));
    assert.equal(source.calls(), 2);
    source.succeed();
    await tick();
    assert.equal(await cache.get(), 2);
  });

  test('past the expiry margin callers wait for the renewal already running', async () => {
    const clock = { now: 0 };
    const source = controlledFetch(clock);
    const cache = new RefreshingCredentials(source.fetch, { now: () => new Date(clock.now) });
    const first = cache.get();
    await tick();
    source.succeed();
    await first;
    clock.now = 56 * MIN;
    await cache.get(); // starts the renewal
    clock.now = 59.5 * MIN; // within the 1-minute margin: no longer used
    const waiting = cache.get();
    await tick();
    assert.equal(source.calls(), 2, 'joined the running renewal');
    source.succeed();
    assert.equal(await waiting, 2);
  });

  test('a failed renewal keeps the current value and is retried only after the backoff', async () => {
    const clock = { now: 0 };
    const source = controlledFetch(clock);
    const failures: unknown[] = [];
    const cache = new RefreshingCredentials(source.fetch, {
      now: () => new Date(clock.now),
      baseBackoffMs: 1000,
      onBackgroundFailure: (error) => failures.push(error),
    });
    const first = cache.get();
    await tick();
    source.succeed();
    await first;
    clock.now = 56 * MIN;
    assert.equal(await cache.get(), 1);
    source.fail();
    await tick();
    assert.equal(failures.length, 1);
    assert.equal(await cache.get(), 1, 'still served');
    assert.equal(source.calls(), 2, 'no retry inside the backoff');
    clock.now += 1001;
    assert.equal(await cache.get(), 1);
    assert.equal(source.calls(), 3, 'retried after it');
  });

  test('a cold miss inside the backoff fails fast with the last error, and backoff doubles', async () => {
    const clock = { now: 0 };
    const source = controlledFetch(clock);
    const cache = new RefreshingCredentials(source.fetch, { now: () => new Date(clock.now), baseBackoffMs: 1000 });
    const first = cache.get();
    await tick();
    source.fail();
    await assert.rejects(first, /denied/);
    await assert.rejects(cache.get(), /denied/);
    assert.equal(source.calls(), 1);
    clock.now = 1000;
    const second = cache.get();
    await tick();
    source.fail();
    await assert.rejects(second, /denied/);
    clock.now = 2500; // the second failure waits 2 s
    await assert.rejects(cache.get(), /denied/);
    assert.equal(source.calls(), 2);
    clock.now = 3000;
    const third = cache.get();
    await tick();
    source.succeed();
    assert.equal(await third, 3);
  });

  test('a fetch that throws at once does not wedge the cache', async () => {
    let calls = 0;
    const clock = { now: 0 };
    const cache = new RefreshingCredentials<number>(() => {
      calls++;
      throw new Error('sync failure');
    }, { now: () => new Date(clock.now), baseBackoffMs: 1 });
    await assert.rejects(cache.get(), /sync failure/);
    clock.now = 10;
    await assert.rejects(cache.get(), /sync failure/);
    assert.equal(calls, 2);
  });
});
