/**
 * A fast tier over a slower one: reads try the upper tier, then the lower,
 * copying a lower-tier hit up; writes go to both. The lower tier's failures
 * are misses, never request failures (a full or broken disk only costs
 * speed), and writing to it does not hold up the response.
 */
import type { ChunkStore } from './chunk-store.ts';

export class TieredChunkStore implements ChunkStore {
  constructor(
    private readonly upper: ChunkStore,
    private readonly lower: ChunkStore,
    private readonly onLowerFailure: (error: unknown) => void = () => {},
  ) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const up = await this.upper.get(key);
    if (up !== undefined) return up;
    let low: Uint8Array | undefined;
    try {
      low = await this.lower.get(key);
    } catch (error) {
      this.onLowerFailure(error);
      return undefined;
    }
    if (low !== undefined) await this.upper.put(key, low);
    return low;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.upper.put(key, bytes);
    try {
      await this.lower.put(key, bytes);
    } catch (error) {
      this.onLowerFailure(error);
    }
  }
}
