/**
 * Keeps every file the backend touches inside its root, or inside one
 * bucket's folder under it. Key encoding already rules out `..` and empty
 * segments (`key-paths.ts`); what remains is symbolic links, which are
 * followed only when they resolve inside the confining folder.
 *
 * The confining folder is the root itself, or, for a bucket's view of the
 * connection (`within`), the bucket's folder as it resolves, which must lie
 * inside the root. A link above the bucket's folder is the operator's
 * choice of where the bucket lives; a link inside it may lead nowhere else.
 *
 * Folders are checked by resolving their real path; the verdict is cached for
 * a few seconds so the hot read path pays a map lookup, not a `realpath`
 * (the gateway never creates links itself, so only an operator's changes to
 * the tree can alter a verdict).
 */
import { lstat, realpath } from 'node:fs';

const VERDICT_TTL_MS = 5_000;
const MAX_VERDICTS = 10_000;

export class RootGuard {
  private readonly verdicts = new Map<string, { inside: boolean; until: number }>();
  /** The confining folder's real path, while known (only a folder that exists is remembered). */
  private realBaseCache: { real: string; until: number } | undefined;

  /**
   * `realRoot` is the root's own real path (the root may itself be reached
   * through a link); `base` is the folder access is confined to, the root
   * itself or a folder under it.
   */
  constructor(readonly root: string, readonly realRoot: string, readonly base = root) {}

  /** A guard over the same root confining access to `folder` (a path under the root). */
  within(folder: string): RootGuard {
    return new RootGuard(this.root, this.realRoot, folder);
  }

  /** Whether this guard confines access to less than the whole root. */
  get confined(): boolean {
    return this.base !== this.root;
  }

  /**
   * Whether the folder at `dir` (a path under the root) exists and really lies
   * inside the confining folder. Answers synchronously from the cache when it
   * can; only folders that exist are cached, so a folder created later is
   * judged afresh.
   */
  folderInside(dir: string): boolean | Promise<boolean> {
    if (dir === this.root && !this.confined) return true;
    const verdict = this.verdicts.get(dir);
    if (verdict && verdict.until > Date.now()) return verdict.inside;
    return Promise.all([this.resolve(dir), this.realBase()]).then(([real, base]) => {
      if (real === undefined || base === undefined) return false;
      const inside = contains(base, real);
      if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
      this.verdicts.set(dir, { inside, until: Date.now() + VERDICT_TTL_MS });
      return inside;
    });
  }

  /**
   * Whether creating the folder `dir` (and any missing parents) would stay
   * inside the confining folder: its nearest existing ancestor must really
   * lie inside it, or, while the confining folder itself is still to be
   * created, inside the root.
   */
  async canCreateInside(dir: string): Promise<boolean> {
    for (let path = dir; path.length >= this.root.length; path = path.slice(0, path.lastIndexOf('/'))) {
      const real = await this.resolve(path);
      if (real !== undefined) {
        if (path !== this.base && !path.startsWith(this.base + '/')) return contains(this.realRoot, real);
        const base = await this.realBase();
        return base !== undefined && contains(base, real);
      }
      // A dangling link (or a loop) in the way: the folders would be made wherever it points.
      if (path === this.root || (await this.isLink(path))) return false;
    }
    return false;
  }

  /** The real path behind `path` when it exists and lies inside the confining folder; otherwise undefined. */
  async resolveInside(path: string): Promise<string | undefined> {
    const [real, base] = await Promise.all([this.resolve(path), this.realBase()]);
    return real !== undefined && base !== undefined && contains(base, real) ? real : undefined;
  }

  /** The confining folder's real path, when it exists and lies inside the root. */
  private async realBase(): Promise<string | undefined> {
    if (!this.confined) return this.realRoot;
    const cached = this.realBaseCache;
    if (cached && cached.until > Date.now()) return cached.real;
    const real = await this.resolve(this.base);
    if (real === undefined || !contains(this.realRoot, real)) return undefined;
    this.realBaseCache = { real, until: Date.now() + VERDICT_TTL_MS };
    return real;
  }

  private isLink(path: string): Promise<boolean> {
    return new Promise((resolve) => {
      lstat(path, (error, stats) => resolve(!error && stats.isSymbolicLink()));
    });
  }

  private resolve(path: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      realpath.native(path, (error, real) => resolve(error ? undefined : real));
    });
  }
}

/** Whether the real path `real` is `folder` or lies below it. */
function contains(folder: string, real: string): boolean {
  return real === folder || real.startsWith(folder === '/' ? '/' : folder + '/');
}
