/**
 * Walks a folder tree in S3 key order (UTF-8 byte order), yielding the files
 * as `{ key, path }` for the sorted lister in `core/s3/list-sorted.ts`.
 *
 * One folder is read at a time, so memory follows the depth of the tree, not
 * its size. Entries sort by their decoded segment, with `/` appended for
 * folders, because a folder's keys all continue with `/` (`a-c` < `a/b`).
 * Subtrees wholly before the start point are never entered, and the lister
 * can ask to skip every remaining key under a common prefix. Symbolic links
 * are followed only when they resolve inside the root and do not loop back
 * into the folders being walked.
 */
import { readdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { compareKeys } from '../../core/s3/key-order.ts';
import { validateKey } from '../../core/s3/keys.ts';
import { decodeName } from './key-paths.ts';
import type { LongNames } from './long-names.ts';
import type { RootGuard } from './root-guard.ts';
import { statAsync } from './fs-ops.ts';

export interface WalkEntry {
  key: string;
  /** The file's path under the root (possibly a symlink that resolves inside it). */
  path: string;
}

interface Entry {
  /** Key of the file, or the key prefix (ending in `/`) of the folder. */
  key: string;
  path: string;
  folder: boolean;
  /** Real path, for folders (to detect link cycles). */
  real?: string;
}

interface Frame {
  path: string;
  /** Key prefix of everything in this folder: "" for the root, otherwise ending in "/". */
  key: string;
  real: string;
  /** Only entries whose segment starts with this (the partial last segment of the listing prefix). */
  segmentFilter: string;
  entries?: Entry[];
  index: number;
}

export interface WalkStart {
  path: string;
  key: string;
  real: string;
  segmentFilter: string;
  /** Length of the bucket's prefix in every key: validity (length, characters) is judged on the rest, the client's key. */
  clientKeyOffset: number;
}

export class TreeWalker implements AsyncIterableIterator<WalkEntry> {
  private readonly stack: Frame[];
  private skip: string | undefined;
  private readonly clientKeyOffset: number;

  constructor(
    private readonly guard: RootGuard,
    private readonly names: LongNames,
    start: WalkStart,
    /** Exclusive start point: keys at or before it are not needed. */
    private readonly after: string | undefined,
  ) {
    this.stack = [{ path: start.path, key: start.key, real: start.real, segmentFilter: start.segmentFilter, index: 0 }];
    this.clientKeyOffset = start.clientKeyOffset;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Drop every remaining key that starts with `prefix`. */
  skipPrefix(prefix: string): void {
    this.skip = prefix;
  }

  async next(): Promise<IteratorResult<WalkEntry>> {
    for (;;) {
      const frame = this.stack.at(-1);
      if (!frame) return { done: true, value: undefined };
      if (this.skip !== undefined && frame.key.startsWith(this.skip)) {
        this.stack.pop();
        continue;
      }
      frame.entries ??= await this.read(frame);
      const entry = frame.entries[frame.index++];
      if (!entry) {
        frame.entries = [];
        this.stack.pop();
        continue;
      }
      if (this.skip !== undefined) {
        if (entry.key.startsWith(this.skip)) continue;
        this.skip = undefined; // Sorted order: nothing further can start with it.
      }
      if (entry.folder) {
        this.stack.push({ path: entry.path, key: entry.key, real: entry.real!, segmentFilter: '', index: 0 });
        continue;
      }
      return { done: false, value: { key: entry.key, path: entry.path } };
    }
  }

  async return(): Promise<IteratorResult<WalkEntry>> {
    this.stack.length = 0;
    return { done: true, value: undefined };
  }

  /** A folder's entries that can hold wanted keys, in key order. */
  private async read(frame: Frame): Promise<Entry[]> {
    let dirents: Dirent<Buffer>[];
    try {
      dirents = await readdir(frame.path, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return []; // Vanished, not a folder, or unreadable: it holds no keys we can serve.
    }
    const entries: Entry[] = [];
    for (const dirent of dirents) {
      const decoded = decodeName(dirent.name);
      if (decoded.kind === 'hidden') continue;
      const segment = decoded.kind === 'segment' ? decoded.segment : await this.names.lookup(decoded.digest);
      if (segment === undefined || !segment.startsWith(frame.segmentFilter)) continue;
      const path = `${frame.path}/${dirent.name.toString('utf8')}`;
      let folder: boolean;
      let real: string | undefined;
      if (dirent.isSymbolicLink()) {
        real = await this.guard.resolveInside(path);
        if (real === undefined) continue;
        const target = await statAsync(real).catch(() => undefined);
        if (!target || !(target.isFile() || target.isDirectory())) continue;
        folder = target.isDirectory();
        // A link to this folder or one of its ancestors would loop forever.
        if (folder && (frame.real === real || frame.real.startsWith(real + '/'))) continue;
      } else if (dirent.isDirectory()) {
        folder = true;
        real = `${frame.real}/${dirent.name.toString('utf8')}`;
      } else if (dirent.isFile()) {
        folder = false;
      } else {
        continue; // FIFOs, sockets, devices: not objects.
      }
      const key = frame.key + segment + (folder ? '/' : '');
      if (!this.wanted(key, folder)) continue;
      entries.push({ key, path, folder, real });
    }
    return entries.sort((a, b) => compareKeys(a.key, b.key));
  }

  private wanted(key: string, folder: boolean): boolean {
    // Names no client could ask for (control characters, too long) are not listed; nor is anything under them.
    if (validateKey(key.slice(this.clientKeyOffset)) !== null) return false;
    const after = this.after;
    if (after === undefined || compareKeys(key, after) > 0) return true;
    // A folder at or before the start point still matters if the start point lies inside it.
    return folder && after.startsWith(key);
  }
}
