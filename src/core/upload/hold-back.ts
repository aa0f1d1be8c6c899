/**
 * The last line of defence for uploads: a read-ahead stream that hands a
 * chunk on only once the next one (or a clean end) has come through every
 * check upstream. Digest, checksum and length checks can only fail at the
 * end of the body; holding the last bytes back until they have passed means
 * a backend never receives a complete body that is about to be refused, so a
 * store that frames uploads by length never commits one.
 */

export interface HeldBackStream {
  stream: ReadableStream<Uint8Array>;
  /**
   * Read ahead up to the first bytes (or the end) before the stream is handed
   * over: an empty body is then already fully checked, and a body that fails
   * at once fails before any backend is involved.
   */
  prime(): Promise<void>;
  /** The error the source failed with, if it did. */
  failure(): unknown;
}

export function holdBackLast(source: ReadableStream<Uint8Array>): HeldBackStream {
  const reader = source.getReader();
  let held: Uint8Array | undefined;
  let ended = false;
  let failed: { error: unknown } | undefined;

  /** Read the next non-empty chunk; `undefined` at a clean end. */
  async function next(): Promise<Uint8Array | undefined> {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        failed ??= { error };
        throw error;
      }
      if (result.done) return undefined;
      if (result.value.byteLength > 0) return result.value;
    }
  }

  async function prime(): Promise<void> {
    if (held || ended) return;
    const first = await next();
    if (first) held = first;
    else ended = true;
  }

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (ended) {
        controller.close();
        return;
      }
      if (!held) {
        held = await next();
        if (!held) {
          controller.close();
          return;
        }
      }
      const following = await next();
      controller.enqueue(held);
      held = following;
      if (!following) {
        ended = true;
        controller.close();
      }
    },
    cancel(reason) {
      held = undefined;
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });

  return { stream, prime, failure: () => failed?.error };
}
