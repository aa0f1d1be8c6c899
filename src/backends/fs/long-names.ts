/**
 * Records of hashed segments (`.sluice#<sha256>` names, for segments too long
 * to escape within 255 bytes): the segment text under
 * `.sluice/names/<xx>/<sha256>`. Content-addressed, so one record serves every
 * folder that uses the segment and never changes once written.
 */
import { readFile } from 'node:fs/promises';
import { isHashedNameOf, type HashedSegment } from './key-paths.ts';
import type { PrivateArea } from './private-area.ts';

export class LongNames {
  private readonly known = new Map<string, string>();

  constructor(private readonly area: PrivateArea, private readonly capacity = 10_000) {}

  /** Make sure every hashed segment has its record before a name using it is created. */
  async record(hashed: readonly HashedSegment[]): Promise<void> {
    for (const { digest, segment } of hashed) {
      if (this.known.get(digest) === segment) continue;
      if ((await this.lookup(digest)) !== segment) await this.area.writeAtomic(this.area.longNamePath(digest), segment);
      this.remember(digest, segment);
    }
  }

  /** The segment a hashed name stands for, or undefined if no valid record exists. */
  async lookup(digest: string): Promise<string | undefined> {
    const cached = this.known.get(digest);
    if (cached !== undefined) return cached;
    let segment: string;
    try {
      segment = await readFile(this.area.longNamePath(digest), 'utf8');
    } catch {
      return undefined;
    }
    if (!isHashedNameOf(digest, segment)) return undefined;
    this.remember(digest, segment);
    return segment;
  }

  private remember(digest: string, segment: string): void {
    if (this.known.size >= this.capacity) this.known.clear();
    this.known.set(digest, segment);
  }
}
