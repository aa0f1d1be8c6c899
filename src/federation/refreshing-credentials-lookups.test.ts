/** The credentials cache reports each lookup: a miss when it fetches for the caller, a hit when it answers with what it holds or is already fetching. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RefreshingCredentials } from './refreshing-credentials.ts';

test('credentials lookups are reported as hits and misses', async () => {
  const outcomes: string[] = [];
  let fetches = 0;
  const now = new Date('2026-01-01T00:00:00Z');
  const cache = new RefreshingCredentials(async () => {
    fetches++;
    return { value: `v${fetches}`, expiresAt: new Date(now.getTime() + 3_600_000) };
  }, { now: () => now, onLookup: (outcome) => outcomes.push(outcome) });
  const [a, b] = await Promise.all([cache.get(), cache.get()]);
  assert.deepEqual([a, b, await cache.get()], ['v1', 'v1', 'v1']);
  assert.equal(fetches, 1);
  assert.deepEqual(outcomes, ['miss', 'hit', 'hit']);
});
