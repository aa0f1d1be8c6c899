/**
 * The few file operations on the read hot path, as thin promises over the
 * callback API (no FileHandle objects to create and finalise per request),
 * plus errno helpers and hashing a file that is already open.
 */
import { createHash } from 'node:crypto';
import { close, constants, lstat, open, read, stat, type Stats } from 'node:fs';
import { open as openHandle } from 'node:fs/promises';

/** Read-only, never through a final symlink (it gets the containment check instead), never blocking on a FIFO. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export function openForRead(path: string, followLinks = false): Promise<number> {
  const flags = followLinks ? constants.O_RDONLY | constants.O_NONBLOCK : READ_FLAGS;
  return new Promise((resolve, reject) => open(path, flags, (error, fd) => (error ? reject(error) : resolve(fd))));
}

export function lstatAsync(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => lstat(path, (error, stats) => (error ? reject(error) : resolve(stats))));
}

export function statAsync(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => stat(path, (error, stats) => (error ? reject(error) : resolve(stats))));
}

/**
 * Flush a folder's entries (a rename into it) to disk. Best effort: the
 * object is already complete and in place, only whether the rename survives
 * a crash is at stake, and some file systems refuse to sync a folder.
 */
export async function syncFolder(path: string): Promise<void> {
  const handle = await openHandle(path, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // See above: nothing to undo.
  } finally {
    await handle.close().catch(() => {});
  }
}

export function closeQuietly(fd: number): void {
  close(fd, () => {});
}

export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;
}

/** Errors that mean "no object here": missing, a file where a folder was expected, a name too long to exist. */
export function isAbsent(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP' || code === 'EISDIR';
}

const HASH_CHUNK = 1024 * 1024;

/** MD5 hex of an open file's content, read with positional reads (the file offset is left untouched). */
export async function md5OfOpenFile(fd: number): Promise<string> {
  const hash = createHash('md5');
  const buffer = Buffer.allocUnsafe(HASH_CHUNK);
  let position = 0;
  for (;;) {
    const bytesRead = await new Promise<number>((resolve, reject) =>
      read(fd, buffer, 0, HASH_CHUNK, position, (error, n) => (error ? reject(error) : resolve(n))));
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}
