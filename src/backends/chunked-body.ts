/**
 * Reading a request body in fixed-size chunks for backends that upload in
 * pieces (GCS resumable chunks, Azure staged blocks): each full chunk is
 * handed on only once more bytes arrive, so a body of exactly one chunk stays
 * in memory for a single-request upload; the bytes' MD5 and size are counted
 * on the way. A caller that goes away ends the wait for the next chunk at once.
 */
import { toWebStream, type Body } from '../core/body.ts';
import { createMd5 } from '../core/md5.ts';

export interface ChunkedBody {
  /** What is left after the last full chunk handed on: the whole body when none was; may be empty. */
  last: Uint8Array;
  md5Hex: string;
  size: number;
}

/**
 * Read `body` to its end, calling `full` with each full chunk that more bytes
 * follow (a fresh buffer each, never reused). On a failure of the body or of
 * `full` the body is cancelled and the error rethrown.
 */
export async function readInChunks(body: Body, chunkSize: number, full: (chunk: Uint8Array) => Promise<void>, signal: AbortSignal | undefined): Promise<ChunkedBody> {
  const reader = toWebStream(body).getReader();
  const md5 = createMd5();
  let buffer = new Uint8Array(chunkSize);
  let filled = 0;
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await readUnlessAborted(reader, signal);
      if (done) break;
      md5.update(value);
      size += value.byteLength;
      let offset = 0;
      while (offset < value.byteLength) {
        if (filled === chunkSize) {
          await full(buffer);
          buffer = new Uint8Array(chunkSize);
          filled = 0;
        }
        const take = Math.min(chunkSize - filled, value.byteLength - offset);
        buffer.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
      }
    }
  } catch (err) {
    reader.cancel(err).catch(() => {});
    throw err;
  }
  return { last: buffer.subarray(0, filled), md5Hex: md5.digestHex(), size };
}

/** The next chunk, or the abort reason as soon as the caller goes away (a stalled body never blocks). */
function readUnlessAborted(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal | undefined): Promise<ReadableStreamReadResult<Uint8Array>> {
  if (!signal) return reader.read();
  signal.throwIfAborted();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([reader.read(), aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
