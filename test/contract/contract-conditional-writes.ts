/**
 * Contract: writes guarded by `If-None-Match: *` and `If-Match` — the check
 * happens at the commit, atomically with the write, so of many writers racing
 * on one key with the same precondition exactly one wins.
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../src/core/backend.ts';
import { type ConditionalWrites, type WriteConditions, hasConditionalWrites } from '../../src/core/backend-capabilities.ts';
import { ConditionalWriteConflictError, ObjectNotFoundError, PreconditionFailedError } from '../../src/core/backend-errors.ts';
import { bytesBody } from '../../src/core/body.ts';
import { bytes, getText, put, rejectsWith, type ContractContext } from './contract-support.ts';

/** Writers racing in the concurrency tests. */
export const RACING_WRITERS = 50;

function conditional(backend: Backend): Backend & ConditionalWrites {
  assert.ok(hasConditionalWrites(backend), `${backend.kind} offers conditional writes`);
  return backend;
}

function putIf(backend: Backend & ConditionalWrites, key: string, content: string, conditions: WriteConditions) {
  const data = bytes(content);
  return backend.conditionalPut(key, bytesBody(data), { metadata: {} }, conditions, { contentLength: data.byteLength });
}

/** Run `writers` conditional puts at once; each either wins or loses with a precondition failure or a conflict. */
async function race(backend: Backend & ConditionalWrites, key: string, conditions: WriteConditions, writers = RACING_WRITERS) {
  const outcomes = await Promise.allSettled(Array.from({ length: writers }, (_, i) => putIf(backend, key, `writer ${i}`, conditions)));
  const winners: number[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') winners.push(i);
    else {
      const error = outcome.reason as unknown;
      assert.ok(
        error instanceof PreconditionFailedError || error instanceof ConditionalWriteConflictError,
        `a losing writer fails with a precondition failure or a conflict, not ${String(error)}`,
      );
    }
  });
  return winners;
}

export function registerConditionalWriteTests({ test }: ContractContext): void {
  test('If-None-Match: * creates a missing object and refuses to replace an existing one', async (backend) => {
    const writer = conditional(backend);
    const created = await putIf(writer, 'once', 'first', { ifNoneMatch: '*' });
    assert.equal((await backend.head('once')).etag, created.etag);
    const refused = await rejectsWith(() => putIf(writer, 'once', 'second', { ifNoneMatch: '*' }), PreconditionFailedError);
    assert.equal(refused.condition, 'If-None-Match');
    assert.equal(await getText(backend, 'once'), 'first', 'the refused write changed nothing');
  });

  test('If-Match replaces an object whose ETag matches, quoted or not, and refuses any other', async (backend) => {
    const writer = conditional(backend);
    const first = await put(backend, 'k', 'v1');
    const second = await putIf(writer, 'k', 'v2', { ifMatch: first.etag });
    assert.equal(await getText(backend, 'k'), 'v2');
    await putIf(writer, 'k', 'v3', { ifMatch: second.etag.replace(/"/g, '') });
    assert.equal(await getText(backend, 'k'), 'v3');
    const refused = await rejectsWith(() => putIf(writer, 'k', 'v4', { ifMatch: first.etag }), PreconditionFailedError);
    assert.equal(refused.condition, 'If-Match');
    assert.equal(await getText(backend, 'k'), 'v3');
  });

  test('If-Match on a missing object fails as a missing key and creates nothing', async (backend) => {
    const writer = conditional(backend);
    await rejectsWith(() => putIf(writer, 'absent', 'x', { ifMatch: '"d41d8cd98f00b204e9800998ecf8427e"' }), ObjectNotFoundError);
    await rejectsWith(() => backend.head('absent'), ObjectNotFoundError);
  });

  test(`of ${RACING_WRITERS} writers racing with If-None-Match: * exactly one creates the object`, async (backend) => {
    const writer = conditional(backend);
    const winners = await race(writer, 'contended', { ifNoneMatch: '*' });
    assert.equal(winners.length, 1, `exactly one winner, got ${winners.length}`);
    assert.equal(await getText(backend, 'contended'), `writer ${winners[0]}`, 'the stored object is the winner\'s');
  });

  test(`of ${RACING_WRITERS} writers racing with the same If-Match exactly one replaces the object`, async (backend) => {
    const writer = conditional(backend);
    const base = await put(backend, 'contended', 'base');
    const winners = await race(writer, 'contended', { ifMatch: base.etag });
    assert.equal(winners.length, 1, `exactly one winner, got ${winners.length}`);
    assert.equal(await getText(backend, 'contended'), `writer ${winners[0]}`);
  });
}
