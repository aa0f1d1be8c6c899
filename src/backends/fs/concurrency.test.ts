import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedLock, Semaphore } from './concurrency.ts';

/** One turn of the event loop, so that other tasks get to run in between. */
const tick = () => new Promise((r) => setImmediate(r));

test('KeyedLock runs tasks for one key one after another, even after a failure', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const task = (name: string, fail = false) => async () => {
    log.push(`start ${name}`);
    await tick();
    log.push(`end ${name}`);
    if (fail) throw new Error(name);
    return name;
  };
  const results = await Promise.allSettled([lock.run('k', task('a', true)), lock.run('k', task('b')), lock.run('other', task('c'))]);
  assert.equal(results[0]!.status, 'rejected');
  assert.deepEqual(results[1], { status: 'fulfilled', value: 'b' });
  assert.ok(log.indexOf('end a') < log.indexOf('start b'), log.join(', '));
  assert.ok(log.indexOf('start c') < log.indexOf('end a'), 'other keys are not held up');
});

test('Semaphore never runs more than its limit at once', async () => {
  const semaphore = new Semaphore(3);
  let active = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 20 }, () => semaphore.run(async () => {
    active++;
    peak = Math.max(peak, active);
    await tick();
    active--;
  })));
  assert.equal(peak, 3);
  // A late arrival while slots are being handed over must not push past the limit.
  const late = semaphore.run(async () => 'ok');
  assert.equal(await late, 'ok');
});
