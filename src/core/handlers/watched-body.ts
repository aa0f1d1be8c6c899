/**
 * An upload body that remembers why it failed. When a body check fails
 * mid-stream (bad digest, bad chunk signature, client gone), the backend sees
 * a broken stream and may report it in its own terms; the client must get the
 * body's error instead (e.g. 400 XAmzContentSHA256Mismatch, not a 503).
 */
import { type Body, toWebStream } from '../body.ts';

export interface WatchedBody {
  stream: ReadableStream<Uint8Array>;
  /** The error the body failed with, if it did. */
  failure(): unknown;
}

export function watchBody(body: Body): WatchedBody {
  const reader = toWebStream(body).getReader();
  let failed: { error: unknown } | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        failed = { error };
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { stream, failure: () => failed?.error };
}
