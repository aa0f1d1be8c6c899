/** Tests for in-process token buckets: burst and refill, all-or-nothing takes, the rate limiter's scopes and bounded memory. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { S3Error } from '../errors/s3-error.ts';
import { ANONYMOUS, type PrincipalIdentity } from '../identity.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { LocalTokenBuckets } from './token-buckets.ts';

describe('token buckets', () => {
  test('a burst, then one token per 1/rate seconds', () => {
    let now = 0;
    const buckets = new LocalTokenBuckets({ now: () => now });
    const take = [{ key: 'k', rule: { ratePerSecond: 2, burst: 3 } }];
    for (let i = 0; i < 3; i++) assert.equal(buckets.take(take).waitSeconds, 0);
    const refused = buckets.take(take);
    assert.equal(refused.refusedBy, 0);
    assert.equal(refused.waitSeconds, 0.5);
    now = 500;
    assert.equal(buckets.take(take).waitSeconds, 0);
    assert.ok(buckets.take(take).waitSeconds > 0);
    now = 100_000;
    for (let i = 0; i < 3; i++) assert.equal(buckets.take(take).waitSeconds, 0, 'refilled to the burst, no further');
    assert.ok(buckets.take(take).waitSeconds > 0);
  });

  test('a refused take takes nothing from the other buckets', () => {
    const buckets = new LocalTokenBuckets({ now: () => 0 });
    const wide = { key: 'wide', rule: { ratePerSecond: 1, burst: 10 } };
    const narrow = { key: 'narrow', rule: { ratePerSecond: 1, burst: 1 } };
    assert.equal(buckets.take([wide, narrow]).waitSeconds, 0);
    assert.equal(buckets.take([wide, narrow]).refusedBy, 1);
    for (let i = 0; i < 9; i++) assert.equal(buckets.take([wide]).waitSeconds, 0, `wide token ${i + 2}`);
    assert.ok(buckets.take([wide]).waitSeconds > 0);
  });

  test('memory is bounded: refilled buckets are swept first, then the oldest', () => {
    let now = 0;
    const buckets = new LocalTokenBuckets({ now: () => now, maxBuckets: 100 });
    const rule = { ratePerSecond: 1, burst: 1 };
    for (let i = 0; i < 1000; i++) {
      buckets.take([{ key: `k${i}`, rule }]);
      now += 1;
    }
    assert.ok(buckets.size <= 100, `size ${buckets.size}`);
    // A recent bucket survived the sweep: still empty.
    assert.ok(buckets.take([{ key: 'k999', rule }]).waitSeconds > 0);
  });
});

describe('the rate limiter', () => {
  const key = (accessKeyId: string, account: string): PrincipalIdentity => ({ kind: 'principal', account, accessKeyId });
  const limits = {
    perCredential: { ratePerSecond: 1, burst: 2 },
    perAccount: { ratePerSecond: 1, burst: 3 },
    perAnonymousIp: { ratePerSecond: 1, burst: 1 },
    accounts: { vip: { perCredential: { ratePerSecond: 100, burst: 100 }, perAccount: { ratePerSecond: 100, burst: 100 } } },
    buckets: { hot: { perCaller: { ratePerSecond: 1, burst: 1 } } },
    shared: false,
    maxBuckets: 1000,
  };

  async function refusal(promise: Promise<void>): Promise<S3Error | undefined> {
    try {
      await promise;
      return undefined;
    } catch (error) {
      assert.ok(error instanceof S3Error);
      return error;
    }
  }

  test('credential, account, anonymous address and bucket each refuse with SlowDown and Retry-After, naming the scope', async () => {
    const scopes: string[] = [];
    const limiter = createRateLimiter(limits, new LocalTokenBuckets({ now: () => 0 }), (scope) => scopes.push(scope));
    const a1 = key('A1', 'acme');
    const a2 = key('A2', 'acme');
    assert.equal(await refusal(limiter.check({ identity: a1 })), undefined);
    assert.equal(await refusal(limiter.check({ identity: a1 })), undefined);
    const slow = await refusal(limiter.check({ identity: a1 }));
    assert.equal(slow?.code, 'SlowDown');
    assert.equal(slow?.status, 503);
    assert.equal(slow?.headers['retry-after'], '1');
    // A second key of the account has one account token left.
    assert.equal(await refusal(limiter.check({ identity: a2 })), undefined);
    assert.equal((await refusal(limiter.check({ identity: a2 })))?.code, 'SlowDown');
    // The vip override, an address each for anonymous callers, and a bucket of its own.
    for (let i = 0; i < 10; i++) assert.equal(await refusal(limiter.check({ identity: key('V', 'vip') })), undefined);
    assert.equal(await refusal(limiter.check({ identity: ANONYMOUS, clientIp: '192.0.2.1' })), undefined);
    assert.ok(await refusal(limiter.check({ identity: ANONYMOUS, clientIp: '192.0.2.1' })));
    assert.equal(await refusal(limiter.check({ identity: ANONYMOUS, clientIp: '192.0.2.2' })), undefined);
    assert.equal(await refusal(limiter.check({ identity: key('V', 'vip'), bucket: 'hot' })), undefined);
    assert.ok(await refusal(limiter.check({ identity: key('V', 'vip'), bucket: 'hot' })));
    assert.deepEqual(scopes, ['credential', 'account', 'anonymous_ip', 'bucket']);
  });
});
