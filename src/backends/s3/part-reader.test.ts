/** Cutting a stream into fixed-size parts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartReader } from './part-reader.ts';

function streamOf(chunks: number[]): ReadableStream<Uint8Array> {
  let value = 0;
  const queue = chunks.map((size) => Uint8Array.from({ length: size }, () => value++ & 0xff));
  return new ReadableStream({
    pull(controller) {
      const next = queue.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

test('PartReader yields full parts across chunk boundaries and a short last part', async () => {
  const reader = new PartReader(streamOf([3, 4, 0, 5, 1]), 5);
  const sizes: number[] = [];
  const bytes: number[] = [];
  while (await reader.hasMore()) {
    const part = await reader.next();
    sizes.push(part.byteLength);
    bytes.push(...part);
  }
  assert.deepEqual(sizes, [5, 5, 3]);
  assert.deepEqual(bytes, Array.from({ length: 13 }, (_, i) => i));
});

test('PartReader on an empty stream gives one empty part and nothing more', async () => {
  const reader = new PartReader(streamOf([]), 5);
  assert.equal((await reader.next()).byteLength, 0);
  assert.equal(await reader.hasMore(), false);
});

test('PartReader knows an exact multiple has ended only after looking ahead', async () => {
  const reader = new PartReader(streamOf([5]), 5);
  assert.equal((await reader.next()).byteLength, 5);
  assert.equal(await reader.hasMore(), false);
});

test('PartReader stops a stalled read when the signal aborts, rather than taking it as the end', async () => {
  const controller = new AbortController();
  const stalled = new ReadableStream<Uint8Array>({
    start(source) {
      source.enqueue(new Uint8Array(2));
    },
    pull() {
      // The reader has taken the two bytes and waits for more: the client goes away now.
      controller.abort(new Error('client went away'));
      return new Promise<void>(() => {});
    },
  });
  const reader = new PartReader(stalled, 5, controller.signal);
  await assert.rejects(reader.next(), /client went away/);
});
