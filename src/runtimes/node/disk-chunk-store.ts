/**
 * The hot-range cache's disk tier on Node: one file per chunk under a
 * folder, bounded by `maxBytes` with least-recently-used eviction. It
 * survives restarts: on open the folder is scanned and its files ordered by
 * modification time (a hit touches its file), leftovers of interrupted
 * writes are removed, and the bound is enforced again. Each file starts with
 * the full key it holds, checked on every read, so a file name (a SHA-256 of
 * the key) can never hand back another chunk's bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkStore } from '../../core/range-cache/chunk-store.ts';

const MAGIC = Buffer.from('SLUICE-CHUNK-1\n');
const TEMP_PREFIX = '.tmp-';

export class DiskChunkStore implements ChunkStore {
  /** File name → bytes on disk, in recency order (oldest first). */
  private readonly index = new Map<string, number>();
  private readonly writing = new Set<string>();
  private total = 0;
  private readonly ready: Promise<void>;

  constructor(readonly dir: string, readonly maxBytes: number) {
    this.ready = this.load();
  }

  /** Resolves once the folder has been scanned (tests and shutdown wait on it). */
  opened(): Promise<void> {
    return this.ready;
  }

  get size(): number {
    return this.total;
  }

  get count(): number {
    return this.index.size;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    await this.ready;
    const name = fileName(key);
    if (!this.index.has(name)) return undefined;
    let file: Buffer;
    try {
      file = await readFile(this.pathOf(name));
    } catch {
      this.forget(name);
      return undefined;
    }
    const bytes = unwrap(file, key);
    if (!bytes) {
      // Not what it should hold (a truncated or foreign file): drop it.
      await this.remove(name);
      return undefined;
    }
    this.touch(name);
    return bytes;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.ready;
    const name = fileName(key);
    if (this.index.has(name) || this.writing.has(name)) return;
    const content = wrap(key, bytes);
    if (content.byteLength > this.maxBytes) return;
    this.writing.add(name);
    try {
      const path = this.pathOf(name);
      await mkdir(join(this.dir, name.slice(0, 2)), { recursive: true });
      const temp = join(this.dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
      await writeFile(temp, content);
      await rename(temp, path).catch(async (error: unknown) => {
        await unlink(temp).catch(() => {});
        throw error;
      });
      this.index.set(name, content.byteLength);
      this.total += content.byteLength;
    } finally {
      this.writing.delete(name);
    }
    await this.evict();
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const found: Array<{ name: string; size: number; mtime: number }> = [];
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (entry.isFile() && entry.name.startsWith(TEMP_PREFIX)) {
        await unlink(join(this.dir, entry.name)).catch(() => {});
        continue;
      }
      if (!entry.isDirectory() || !/^[0-9a-f]{2}$/.test(entry.name)) continue;
      for (const file of await readdir(join(this.dir, entry.name))) {
        if (!/^[0-9a-f]{64}$/.test(file) || file.slice(0, 2) !== entry.name) continue;
        const info = await stat(join(this.dir, entry.name, file)).catch(() => undefined);
        if (info?.isFile()) found.push({ name: file, size: info.size, mtime: info.mtimeMs });
      }
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const { name, size } of found) {
      this.index.set(name, size);
      this.total += size;
    }
    await this.evict();
  }

  private async evict(): Promise<void> {
    while (this.total > this.maxBytes) {
      const oldest = this.index.keys().next().value;
      if (oldest === undefined) break;
      await this.remove(oldest);
    }
  }

  private async remove(name: string): Promise<void> {
    this.forget(name);
    await unlink(this.pathOf(name)).catch(() => {});
  }

  private forget(name: string): void {
    const size = this.index.get(name);
    if (size === undefined) return;
    this.index.delete(name);
    this.total -= size;
  }

  /** Most recent now, here and (for the next start) in the file's modification time. */
  private touch(name: string): void {
    const size = this.index.get(name)!;
    this.index.delete(name);
    this.index.set(name, size);
    const now = new Date();
    utimes(this.pathOf(name), now, now).catch(() => {});
  }

  private pathOf(name: string): string {
    return join(this.dir, name.slice(0, 2), name);
  }
}

function fileName(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function wrap(key: string, bytes: Uint8Array): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(keyBytes.byteLength);
  return Buffer.concat([MAGIC, length, keyBytes, bytes]);
}

/** The chunk's bytes if `file` is a whole chunk file for `key`. */
function unwrap(file: Buffer, key: string): Uint8Array | undefined {
  if (file.byteLength < MAGIC.byteLength + 4 || !file.subarray(0, MAGIC.byteLength).equals(MAGIC)) return undefined;
  const keyLength = file.readUInt32BE(MAGIC.byteLength);
  const start = MAGIC.byteLength + 4;
  if (file.byteLength < start + keyLength || file.toString('utf8', start, start + keyLength) !== key) return undefined;
  return new Uint8Array(file.buffer, file.byteOffset + start + keyLength, file.byteLength - start - keyLength);
}
