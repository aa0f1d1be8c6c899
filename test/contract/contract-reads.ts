/**
 * Contract: ranged reads and read preconditions (If-Match, If-None-Match,
 * If-Modified-Since, If-Unmodified-Since) on get and head.
 */
import assert from 'node:assert/strict';
import type { Backend, RangeRequest, ReadConditions } from '../../src/core/backend.ts';
import { NotModifiedError, PreconditionFailedError, RangeNotSatisfiableError } from '../../src/core/backend-errors.ts';
import { put, readText, rejectsWith, type ContractContext } from './contract-support.ts';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'; // 36 bytes

async function ranged(backend: Backend, range: RangeRequest) {
  const got = await backend.get('r', { range });
  return { text: await readText(got.body), range: got.range, size: got.info.size };
}

export function registerReadTests({ test }: ContractContext): void {
  test('a bounded range returns exactly those bytes', async (backend) => {
    await put(backend, 'r', DIGITS);
    assert.deepEqual(await ranged(backend, { kind: 'bounded', first: 2, last: 5 }), { text: '2345', range: { start: 2, end: 5 }, size: 36 });
    assert.deepEqual(await ranged(backend, { kind: 'bounded', first: 0, last: 0 }), { text: '0', range: { start: 0, end: 0 }, size: 36 });
    assert.deepEqual(await ranged(backend, { kind: 'bounded', first: 35, last: 35 }), { text: 'z', range: { start: 35, end: 35 }, size: 36 });
  });

  test('an open range runs to the end of the object', async (backend) => {
    await put(backend, 'r', DIGITS);
    assert.deepEqual(await ranged(backend, { kind: 'from', first: 30 }), { text: 'uvwxyz', range: { start: 30, end: 35 }, size: 36 });
    assert.deepEqual(await ranged(backend, { kind: 'from', first: 0 }), { text: DIGITS, range: { start: 0, end: 35 }, size: 36 });
  });

  test('a suffix range returns the last bytes, or the whole object when longer', async (backend) => {
    await put(backend, 'r', DIGITS);
    assert.deepEqual(await ranged(backend, { kind: 'suffix', length: 3 }), { text: 'xyz', range: { start: 33, end: 35 }, size: 36 });
    assert.deepEqual(await ranged(backend, { kind: 'suffix', length: 100 }), { text: DIGITS, range: { start: 0, end: 35 }, size: 36 });
  });

  test('a range ending past the object is clamped to its end', async (backend) => {
    await put(backend, 'r', DIGITS);
    assert.deepEqual(await ranged(backend, { kind: 'bounded', first: 34, last: 1000 }), { text: 'yz', range: { start: 34, end: 35 }, size: 36 });
  });

  test('an unsatisfiable range fails with RangeNotSatisfiableError carrying the size', async (backend) => {
    await put(backend, 'r', DIGITS);
    for (const range of [{ kind: 'bounded', first: 36, last: 40 }, { kind: 'from', first: 36 }, { kind: 'suffix', length: 0 }] as RangeRequest[]) {
      const error = await rejectsWith(() => backend.get('r', { range }), RangeNotSatisfiableError);
      assert.equal(error.size, 36, JSON.stringify(range));
    }
  });

  test('every range of an empty object is unsatisfiable', async (backend) => {
    await put(backend, 'r', '');
    for (const range of [{ kind: 'bounded', first: 0, last: 0 }, { kind: 'from', first: 0 }, { kind: 'suffix', length: 1 }] as RangeRequest[]) {
      const error = await rejectsWith(() => backend.get('r', { range }), RangeNotSatisfiableError);
      assert.equal(error.size, 0);
    }
  });

  const seconds = (date: Date, delta: number) => new Date(Math.floor(date.getTime() / 1000) * 1000 + delta * 1000);

  async function expectOutcome(backend: Backend, conditions: ReadConditions, outcome: 'ok' | 'not-modified' | 'precondition-failed', label: string) {
    for (const read of [
      () => backend.get('c', { conditions }).then(async (r) => readText(r.body)),
      () => backend.head('c', { conditions }),
    ]) {
      if (outcome === 'ok') {
        await assert.doesNotReject(read(), label);
      } else if (outcome === 'not-modified') {
        const error = await rejectsWith(read, NotModifiedError);
        assert.equal(error.etag, (await backend.head('c')).etag, label);
      } else {
        await rejectsWith(read, PreconditionFailedError);
      }
    }
  }

  test('If-Match passes on the current ETag and fails otherwise', async (backend) => {
    const { etag } = await put(backend, 'c', 'content');
    await expectOutcome(backend, { ifMatch: etag }, 'ok', 'same etag');
    await expectOutcome(backend, { ifMatch: '*' }, 'ok', 'any');
    await expectOutcome(backend, { ifMatch: `"nope", ${etag}` }, 'ok', 'in a list');
    await expectOutcome(backend, { ifMatch: '"d41d8cd98f00b204e9800998ecf8427e"' }, 'precondition-failed', 'other etag');
  });

  test('If-None-Match on the current ETag means not modified', async (backend) => {
    const { etag } = await put(backend, 'c', 'content');
    await expectOutcome(backend, { ifNoneMatch: etag }, 'not-modified', 'same etag');
    await expectOutcome(backend, { ifNoneMatch: '*' }, 'not-modified', 'any');
    await expectOutcome(backend, { ifNoneMatch: '"d41d8cd98f00b204e9800998ecf8427e"' }, 'ok', 'other etag');
  });

  test('If-Modified-Since means not modified unless the object is newer', async (backend) => {
    await put(backend, 'c', 'content');
    const { lastModified } = await backend.head('c');
    await expectOutcome(backend, { ifModifiedSince: seconds(lastModified, 0) }, 'not-modified', 'same second');
    await expectOutcome(backend, { ifModifiedSince: seconds(lastModified, 60) }, 'not-modified', 'later date');
    await expectOutcome(backend, { ifModifiedSince: seconds(lastModified, -60) }, 'ok', 'earlier date');
  });

  test('If-Unmodified-Since fails when the object is newer', async (backend) => {
    await put(backend, 'c', 'content');
    const { lastModified } = await backend.head('c');
    await expectOutcome(backend, { ifUnmodifiedSince: seconds(lastModified, 0) }, 'ok', 'same second');
    await expectOutcome(backend, { ifUnmodifiedSince: seconds(lastModified, 60) }, 'ok', 'later date');
    await expectOutcome(backend, { ifUnmodifiedSince: seconds(lastModified, -60) }, 'precondition-failed', 'earlier date');
  });

  test('conditions combine with S3 precedence', async (backend) => {
    const { etag } = await put(backend, 'c', 'content');
    const { lastModified } = await backend.head('c');
    const earlier = seconds(lastModified, -60);
    const later = seconds(lastModified, 60);
    const other = '"d41d8cd98f00b204e9800998ecf8427e"';
    await expectOutcome(backend, { ifMatch: etag, ifUnmodifiedSince: earlier }, 'ok', 'true If-Match overrides If-Unmodified-Since');
    await expectOutcome(backend, { ifNoneMatch: other, ifModifiedSince: later }, 'ok', 'false If-None-Match overrides If-Modified-Since');
    await expectOutcome(backend, { ifNoneMatch: etag, ifModifiedSince: earlier }, 'not-modified', 'matching If-None-Match wins');
    await expectOutcome(backend, { ifMatch: other, ifNoneMatch: etag }, 'precondition-failed', 'If-Match is checked first');
    await expectOutcome(backend, { ifUnmodifiedSince: earlier, ifModifiedSince: later }, 'precondition-failed', 'If-Unmodified-Since before If-Modified-Since');
    await expectOutcome(backend, { ifMatch: etag, ifModifiedSince: later }, 'not-modified', 'both kinds evaluated');
  });

  test('conditions are checked against the current version after an overwrite', async (backend) => {
    const first = await put(backend, 'c', 'one');
    const second = await put(backend, 'c', 'two');
    assert.notEqual(first.etag, second.etag);
    await expectOutcome(backend, { ifMatch: first.etag }, 'precondition-failed', 'old etag');
    await expectOutcome(backend, { ifNoneMatch: first.etag }, 'ok', 'old etag');
    await expectOutcome(backend, { ifMatch: second.etag }, 'ok', 'new etag');
  });
}
