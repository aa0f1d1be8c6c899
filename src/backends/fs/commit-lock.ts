/**
 * The commit lock of one object, shared by every process serving an fs root:
 * a lock file under `<root>/.sluice/locks/`, created with O_EXCL (`wx`), so
 * exactly one writer at a time — in this process or another — checks an
 * object's write preconditions and renames its new version into place.
 * Every write and delete takes it, so a conditional write's check and its
 * rename are one step that no other write can come between.
 *
 * A writer that finds the lock taken retries for a bounded time: a
 * conditional write then gives up with `ConditionalWriteConflictError` (S3's
 * 409, which clients retry), any other write with `BackendUnavailableError`.
 * A lock file older than `STALE_MS` was left by a process that died mid-commit
 * (a commit takes milliseconds) and is broken.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackendUnavailableError, ConditionalWriteConflictError } from '../../core/backend-errors.ts';
import { errnoCode } from './fs-ops.ts';

/** A lock file older than this was abandoned by a crashed process. */
export const STALE_MS = 30_000;
/** How long a conditional write waits for another commit of the same key before answering 409. */
const CONDITIONAL_WAIT_MS = 2_000;
/** How long any other write waits before reporting the store unavailable. */
const WAIT_MS = 10_000;

export class CommitLock {
  private readonly dir: string;

  constructor(privateDir: string) {
    this.dir = `${privateDir}/locks`;
  }

  /** Run `task` holding the lock of `id` (the object's path within the root); `key` names it in errors. */
  async run<T>(id: string, key: string, conditional: boolean, task: () => Promise<T>): Promise<T> {
    const path = `${this.dir}/${createHash('sha256').update(id, 'utf8').digest('hex')}`;
    await this.acquire(path, key, conditional);
    try {
      return await task();
    } finally {
      await unlink(path).catch(() => {});
    }
  }

  private async acquire(path: string, key: string, conditional: boolean): Promise<void> {
    const deadline = Date.now() + (conditional ? CONDITIONAL_WAIT_MS : WAIT_MS);
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.close();
        return;
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'ENOENT' && attempt < 3) {
          await mkdir(this.dir, { recursive: true });
          continue;
        }
        if (code !== 'EEXIST') throw error;
      }
      if (await this.breakIfStale(path)) continue;
      if (Date.now() >= deadline) {
        throw conditional ? new ConditionalWriteConflictError(key) : new BackendUnavailableError('fs commit lock held too long');
      }
      // Short, jittered waits: a commit holds the lock for a rename and a small metadata write.
      await sleep(2 + Math.floor(Math.random() * Math.min(50, 2 ** Math.min(attempt, 6))));
    }
  }

  /** Remove a lock abandoned by a dead process; true when the caller should try again at once. */
  private async breakIfStale(path: string): Promise<boolean> {
    const stats = await stat(path).catch(() => undefined);
    if (!stats) return true; // Released meanwhile.
    if (Date.now() - stats.mtimeMs < STALE_MS) return false;
    // Renamed aside first: of several processes breaking it at once, exactly one succeeds.
    const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch {
      return true;
    }
    await unlink(aside).catch(() => {});
    return true;
  }
}
