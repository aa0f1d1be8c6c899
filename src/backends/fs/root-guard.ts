/**
 * Keeps every file the backend touches inside its root. Key encoding already
 * rules out `..` and empty segments (`key-paths.ts`); what remains is
 * symbolic links, which are followed only when they resolve inside the root.
 *
 * Folders are checked by resolving their real path; the verdict is cached for
 * a few seconds so the hot read path pays a map lookup, not a `realpath`
 * (the gateway never creates links itself, so only an operator's changes to
 * the tree can alter a verdict).
 */
import { realpath } from 'node:fs';

const VERDICT_TTL_MS = 5_000;
const MAX_VERDICTS = 10_000;

export class RootGuard {
  private readonly verdicts = new Map<string, { inside: boolean; until: number }>();

  /** `realRoot` is the root's own real path (the root may itself be reached through a link). */
  constructor(readonly root: string, readonly realRoot: string) {}

  isInside(realPath: string): boolean {
    return realPath === this.realRoot || realPath.startsWith(this.realRoot === '/' ? '/' : this.realRoot + '/');
  }

  /**
   * Whether the folder at `dir` (a path under the root) exists and really lies
   * inside it. Answers synchronously from the cache when it can; only folders
   * that exist are cached, so a folder created later is judged afresh.
   */
  folderInside(dir: string): boolean | Promise<boolean> {
    if (dir === this.root) return true;
    const verdict = this.verdicts.get(dir);
    if (verdict && verdict.until > Date.now()) return verdict.inside;
    return this.resolve(dir).then((real) => {
      if (real === undefined) return false;
      const inside = this.isInside(real);
      if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
      this.verdicts.set(dir, { inside, until: Date.now() + VERDICT_TTL_MS });
      return inside;
    });
  }

  /**
   * Whether creating the folder `dir` (and any missing parents) would stay
   * inside the root: its nearest existing ancestor must really lie inside.
   */
  async canCreateInside(dir: string): Promise<boolean> {
    for (let path = dir; path.length >= this.root.length; path = path.slice(0, path.lastIndexOf('/'))) {
      const real = await this.resolve(path);
      if (real !== undefined) return this.isInside(real);
      if (path === this.root) return false;
    }
    return false;
  }

  /** The real path behind `path` when it exists and lies inside the root; otherwise undefined. */
  async resolveInside(path: string): Promise<string | undefined> {
    const real = await this.resolve(path);
    return real !== undefined && this.isInside(real) ? real : undefined;
  }

  private resolve(path: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      realpath.native(path, (error, real) => resolve(error ? undefined : real));
    });
  }
}
