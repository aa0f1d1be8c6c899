import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocatorAdvice, allocatorEnv, RECOMMENDED_TRIM_THRESHOLD } from './malloc-tuning.ts';

test('a child gets the recommended trim threshold unless the allocator is tuned already', () => {
  assert.deepEqual(allocatorEnv({}), { MALLOC_TRIM_THRESHOLD_: RECOMMENDED_TRIM_THRESHOLD });
  assert.equal(RECOMMENDED_TRIM_THRESHOLD, '134217728');
  assert.deepEqual(allocatorEnv({ MALLOC_TRIM_THRESHOLD_: '1024' }), {});
  assert.deepEqual(allocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1024' }), {});
});

test('the start-up advice names the variable on Linux only, and only when it is missing', () => {
  assert.match(allocatorAdvice({}, 'linux') ?? '', /MALLOC_TRIM_THRESHOLD_=134217728/);
  assert.equal(allocatorAdvice({ MALLOC_TRIM_THRESHOLD_: '134217728' }, 'linux'), undefined);
  assert.equal(allocatorAdvice({}, 'darwin'), undefined);
});
