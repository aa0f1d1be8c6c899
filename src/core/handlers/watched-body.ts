/**
 * An upload body that remembers why it failed. When a body check fails
 * mid-stream (bad digest, bad chunk signature, client gone), the backend sees
 * a broken stream and may report it in its own terms; the client must get the
 * body's error instead (e.g. 400 XAmzContentSHA256Mismatch, not a 503).
 *
 * Digests are compared when the body ends, and a backend may stop reading as
 * soon as it has the declared length (workerd's fetch does): `finish()`
 * reads what the backend left, so an upload is answered only once its
 * checks have run.
 */
import { type Body, toWebStream } from '../body.ts';
import { S3Error } from '../errors/s3-error.ts';

export interface WatchedBody {
  stream: ReadableStream<Uint8Array>;
  /** The error the body failed with, if it did. */
  failure(): unknown;
  /**
   * Once the backend has taken the body: read it to its end, so the checks
   * at the end run. Throws the body's failure, or `IncompleteBody` when the
   * backend left bytes unread or gave up on the body before its end.
   */
  finish(): Promise<void>;
}

export function watchBody(body: Body): WatchedBody {
  const reader = toWebStream(body).getReader();
  let failed: { error: unknown } | undefined;
  let ended = false;
  let cancelled = false;
  const read = async () => {
    try {
      const result = await reader.read();
      if (result.done) ended = true;
      return result;
    } catch (error) {
      failed = { error };
      throw error;
    }
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      cancelled = true;
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  const unread = () => new S3Error('IncompleteBody', 'The request body was not stored as sent.');
  return {
    stream,
    failure: () => failed?.error,
    async finish() {
      if (failed) throw failed.error;
      if (ended) return;
      if (cancelled) throw unread();
      const { done } = await read();
      if (!done) {
        await reader.cancel(unread()).catch(() => undefined);
        throw unread();
      }
    },
  };
}
