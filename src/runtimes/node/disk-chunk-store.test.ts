/**
 * The disk tier: bounded by maxBytes with least-recently-used eviction,
 * surviving a restart (index rebuilt from the folder, recency from the
 * files' times), and never handing back bytes it cannot vouch for.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DiskChunkStore } from './disk-chunk-store.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-chunks-'));
  dirs.push(dir);
  return dir;
}

const chunk = (byte: number, size = 1000) => new Uint8Array(size).fill(byte);

/** How many chunk files are under `dir`. */
async function filesOn(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) count += (await readdir(join(dir, entry.name))).length;
  }
  return count;
}

describe('disk chunk store', () => {
  test('round-trips chunks and stays within maxBytes, evicting the least recently used', async () => {
    const dir = await folder();
    // Each file is 1000 bytes plus a header of a few dozen: three fit in 3300.
    const store = new DiskChunkStore(dir, 3300);
    await store.put('a', chunk(1));
    await store.put('b', chunk(2));
    await store.put('c', chunk(3));
    assert.deepEqual(await store.get('a'), chunk(1));
    await store.put('d', chunk(4));
    assert.equal(await store.get('b'), undefined, 'b was the least recently used');
    assert.deepEqual(await store.get('c'), chunk(3));
    assert.deepEqual(await store.get('d'), chunk(4));
    assert.ok(store.size <= 3300);
    assert.equal(await filesOn(dir), 3);
    assert.equal(await store.get('never'), undefined);
  });

  test('survives a restart with its recency, and a smaller bound on restart evicts the oldest', async () => {
    const dir = await folder();
    const first = new DiskChunkStore(dir, 10_000);
    for (const [i, key] of ['old', 'mid', 'new'].entries()) {
      await first.put(key, chunk(i + 1));
    }
    // Make the recency unambiguous on disk, as hits over time would.
    const times = { old: 1_000, mid: 2_000, new: 3_000 };
    for (const [key, seconds] of Object.entries(times)) {
      const name = createHash('sha256').update(key).digest('hex');
      const path = join(dir, name.slice(0, 2), name);
      await utimes(path, seconds, seconds);
    }
    const again = new DiskChunkStore(dir, 10_000);
    await again.opened();
    assert.equal(again.count, 3);
    assert.deepEqual(await again.get('mid'), chunk(2));
    const smaller = new DiskChunkStore(dir, 2100);
    await smaller.opened();
    assert.equal(smaller.count, 2);
    assert.equal(await smaller.get('old'), undefined, 'the oldest went first');
    assert.deepEqual(await smaller.get('new'), chunk(3));
    assert.equal(await filesOn(dir), 2);
  });

  test('a damaged file is a miss and is removed; leftovers of interrupted writes are cleared on open', async () => {
    const dir = await folder();
    const store = new DiskChunkStore(dir, 10_000);
    await store.put('k', chunk(7));
    const name = createHash('sha256').update('k').digest('hex');
    await truncate(join(dir, name.slice(0, 2), name), 10);
    assert.equal(await store.get('k'), undefined);
    assert.equal(store.count, 0);
    await writeFile(join(dir, '.tmp-deadbeef'), 'partial');
    const reopened = new DiskChunkStore(dir, 10_000);
    await reopened.opened();
    assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n.startsWith('.tmp-'))), []);
  });

  test('a file holding another key is never returned for this one', async () => {
    const dir = await folder();
    const store = new DiskChunkStore(dir, 10_000);
    await store.put('one', chunk(1));
    const one = createHash('sha256').update('one').digest('hex');
    const two = createHash('sha256').update('two').digest('hex');
    await mkdir(join(dir, two.slice(0, 2)), { recursive: true });
    await copyFile(join(dir, one.slice(0, 2), one), join(dir, two.slice(0, 2), two));
    const reopened = new DiskChunkStore(dir, 10_000);
    assert.equal(await reopened.get('two'), undefined);
    assert.deepEqual(await reopened.get('one'), chunk(1));
  });
});
