/**
 * Cuts a byte stream into parts of a fixed size, holding at most one part in
 * memory. Used when a body's length is unknown: S3 needs a length per request.
 */

export class PartReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private ended = false;

  constructor(
    stream: ReadableStream<Uint8Array>,
    private readonly partSize: number,
    private readonly signal?: AbortSignal,
  ) {
    this.reader = stream.getReader();
    // A stalled source must not outlive the caller: cancelling ends the pending read.
    signal?.addEventListener('abort', () => this.cancel(signal.reason), { once: true });
  }

  /** Read until a whole part is buffered or the stream ends. */
  private async fill(target: number): Promise<void> {
    while (!this.ended && this.pendingBytes < target) {
      this.signal?.throwIfAborted();
      const { done, value } = await this.reader.read();
      // A read ended by cancellation looks like the end of the stream; it is not.
      this.signal?.throwIfAborted();
      if (done) this.ended = true;
      else if (value.byteLength > 0) {
        this.pending.push(value);
        this.pendingBytes += value.byteLength;
      }
    }
  }

  /** The next part: `partSize` bytes, fewer only for the last one (possibly empty). */
  async next(): Promise<Uint8Array> {
    await this.fill(this.partSize);
    const size = Math.min(this.partSize, this.pendingBytes);
    const part = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const chunk = this.pending[0]!;
      const take = Math.min(chunk.byteLength, size - offset);
      part.set(chunk.subarray(0, take), offset);
      offset += take;
      if (take === chunk.byteLength) this.pending.shift();
      else this.pending[0] = chunk.subarray(take);
    }
    this.pendingBytes -= size;
    return part;
  }

  /** Whether any bytes remain (reads ahead by at most one chunk). */
  async hasMore(): Promise<boolean> {
    await this.fill(1);
    return this.pendingBytes > 0;
  }

  /** Stop reading and release the source. */
  cancel(reason?: unknown): void {
    this.reader.cancel(reason).catch(() => {});
  }
}
