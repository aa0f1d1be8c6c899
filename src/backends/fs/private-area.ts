/**
 * The gateway's private corner of an fs root, `<root>/.sluice/`: temp files
 * for uploads in progress (`tmp/`), metadata sidecars (`meta/`) and the
 * long-name records of hashed segments (`names/`). Sidecars and names are
 * spread over 256 sub-folders by the first byte of a SHA-256, so no folder
 * grows huge and no entry name ever approaches a length limit. Nothing here
 * is ever listed as a key (see `key-paths.ts`).
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { PRIVATE_DIR } from './key-paths.ts';

export class PrivateArea {
  readonly dir: string;
  readonly tmpDir: string;
  private readonly metaDir: string;
  private readonly namesDir: string;
  private ready: Promise<void> | undefined;

  constructor(root: string) {
    this.dir = `${root}/${PRIVATE_DIR}`;
    this.tmpDir = `${this.dir}/tmp`;
    this.metaDir = `${this.dir}/meta`;
    this.namesDir = `${this.dir}/names`;
  }

  /** Create the private folders once (only writable roots ever call this). */
  ensure(): Promise<void> {
    this.ready ??= Promise.all([this.tmpDir, this.metaDir, this.namesDir].map((dir) => mkdir(dir, { recursive: true })))
      .then(() => {})
      .catch((error: unknown) => {
        this.ready = undefined;
        throw error;
      });
    return this.ready;
  }

  /** A fresh, unused path for an upload or atomic write in progress. */
  tempPath(): string {
    return `${this.tmpDir}/${randomBytes(12).toString('hex')}`;
  }

  /** Where the sidecar of a key lives (addressed by the key itself, not its path). */
  sidecarPath(key: string): string {
    const hash = createHash('sha256').update(key, 'utf8').digest('hex');
    return `${this.metaDir}/${hash.slice(0, 2)}/${hash}.json`;
  }

  longNamePath(digest: string): string {
    return `${this.namesDir}/${digest.slice(0, 2)}/${digest}`;
  }

  /** Write a small file so readers see the old content or the new, never a partial one. */
  async writeAtomic(path: string, data: string): Promise<void> {
    await this.ensure();
    const temp = this.tempPath();
    await writeFile(temp, data, { flag: 'wx' });
    try {
      await renameCreatingParent(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
  }

  /** Remove temp files an interrupted process left behind (older than `maxAgeMs`). */
  async sweepTemp(maxAgeMs: number, now = Date.now()): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch {
      return;
    }
    await Promise.all(names.map(async (name) => {
      const path = `${this.tmpDir}/${name}`;
      try {
        if (now - (await stat(path)).mtimeMs > maxAgeMs) await rm(path, { force: true, recursive: true });
      } catch {
        // Gone already, or not ours to remove: either way nothing to do.
      }
    }));
  }
}

async function renameCreatingParent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(to.slice(0, to.lastIndexOf('/')), { recursive: true });
    await rename(from, to);
  }
}
