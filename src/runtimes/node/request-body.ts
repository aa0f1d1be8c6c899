/**
 * The client's upload as the core sees it: the `IncomingMessage` itself
 * (for code that pipes Node streams) with a Web stream view read with
 * plain pause/resume backpressure.
 *
 * Giving the body up (cancelling the view, or `dispose()`) only stops
 * reading: the connection must stay open long enough to carry the response
 * that explains why, and the bridge closes it once that is sent. Failures
 * reach the core as errors carrying an S3 code, so a client that hangs up
 * mid-upload is an incomplete body, not an internal error.
 */
import type { IncomingMessage } from 'node:http';
import { RuntimeBody, type WebByteStream } from '../../core/body.ts';
import { S3Error } from '../../core/errors/s3-error.ts';

/** The upload ended before all of its bytes arrived (client gone, or cut for being too slow). */
export class IncompleteUploadError extends S3Error {
  override name = 'IncompleteUploadError';

  constructor(message = 'The request body ended before it was complete.', options?: { cause?: unknown }) {
    super('IncompleteBody', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export function requestBody(req: IncomingMessage): RuntimeBody {
  return new RuntimeBody(req, () => webView(req), () => req.pause());
}

function bodyError(error: unknown): Error {
  if (error instanceof S3Error) return error;
  return new IncompleteUploadError(undefined, { cause: error });
}

// Chunks queued ahead of the reader before the socket is paused.
const QUEUED_BYTES = 64 * 1024;

function webView(req: IncomingMessage): WebByteStream {
  let detach = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (req.readableEnded) {
          controller.close();
          return;
        }
        if (req.destroyed) {
          controller.error(bodyError(req.errored ?? undefined));
          return;
        }
        const onData = (chunk: Buffer) => {
          // A plain Uint8Array view, no copy: Buffer's slice() shares memory where Uint8Array's copies.
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        };
        const onEnd = () => {
          detach();
          controller.close();
        };
        const onError = (error: unknown) => {
          detach();
          controller.error(bodyError(error));
        };
        // A request destroyed without an error event (the socket closed) still ends the view.
        const onClose = () => {
          if (!req.readableEnded) onError(req.errored ?? undefined);
        };
        // 'aborted' comes synchronously when the client hangs up, before the
        // response closes and aborts the request's signal: whoever reads the
        // body learns that the body broke, not merely that it was cancelled.
        const onAborted = () => onError(req.errored ?? undefined);
        detach = () => {
          req.off('data', onData);
          req.off('end', onEnd);
          req.off('error', onError);
          req.off('close', onClose);
          req.off('aborted', onAborted);
        };
        req.on('data', onData);
        req.on('end', onEnd);
        req.on('error', onError);
        req.on('close', onClose);
        req.on('aborted', onAborted);
      },
      pull() {
        req.resume();
      },
      cancel() {
        detach();
        req.pause();
      },
    },
    { highWaterMark: QUEUED_BYTES, size: (chunk) => chunk.byteLength },
  );
}
