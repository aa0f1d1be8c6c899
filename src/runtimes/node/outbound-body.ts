/**
 * Writing an outbound request body for the Node `HttpClient`: a Node stream
 * is piped, a Web stream written with a plain reader loop that waits for
 * 'drain'. Every write first passes a length guard, so a body longer than its
 * declared `Content-Length` never puts a byte past that length on the wire
 * (it would be read as the start of another request on a keep-alive
 * connection), and a shorter one is never ended as if it were complete.
 */
import type http from 'node:http';
import { Readable } from 'node:stream';
import { RuntimeBody, type Body, type WebByteStream } from '../../core/body.ts';
import { ContentLengthMismatchError } from '../../core/http-errors.ts';

/** Ends the exchange with an error; the caller resets the socket so it is never reused. */
export type Fail = (err: Error) => void;

/** Resolves on 'drain'; rejects if the request dies first, so the writer never hangs. */
function waitForDrain(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      req.off('drain', onDrain);
      req.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('request closed while sending the body'));
    };
    req.on('drain', onDrain);
    req.on('close', onClose);
  });
}

/**
 * Counts bytes against the declared length. A mismatch fails the exchange
 * before the offending bytes are written; the chunk that completes the
 * declared length is written only once the source has ended, so a longer
 * body never completes a request either.
 */
function lengthGuard(declared: number | undefined, fail: Fail) {
  let sent = 0;
  return {
    /** Whether `n` more bytes may be written. */
    admit(n: number): boolean {
      sent += n;
      if (declared !== undefined && sent > declared) {
        fail(new ContentLengthMismatchError(declared, sent, false));
        return false;
      }
      return true;
    },
    /** The declared length is reached: hold the chunk until the source ends. */
    reachedEnd(): boolean {
      return declared !== undefined && sent === declared && declared > 0;
    },
    /** Whether the body may end here. */
    complete(): boolean {
      if (declared !== undefined && sent !== declared) {
        fail(new ContentLengthMismatchError(declared, sent, true));
        return false;
      }
      return true;
    },
  };
}

async function writeWebBody(stream: WebByteStream, req: http.ClientRequest, declared: number | undefined, fail: Fail): Promise<void> {
  const reader = stream.getReader();
  const guard = lengthGuard(declared, fail);
  let last: Uint8Array | undefined;
  try {
    for (;;) {
      if (req.destroyed) throw new Error('request closed while sending the body');
      const { done, value } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      if (!guard.admit(value.byteLength)) {
        reader.cancel().catch(() => {});
        return;
      }
      if (guard.reachedEnd()) {
        last = value;
        continue;
      }
      if (!req.write(value)) await waitForDrain(req);
    }
    if (guard.complete()) req.end(last);
  } catch (err) {
    reader.cancel(err).catch(() => {});
    fail(err instanceof Error ? err : new Error(String(err)));
  }
}

/** `pipe()`, with the guard in front of each write and a source error failing the request. */
function pipeNodeBody(source: Readable, req: http.ClientRequest, declared: number | undefined, fail: Fail): void {
  const guard = lengthGuard(declared, fail);
  let last: Buffer | undefined;
  const stop = () => {
    source.off('data', onData);
    source.off('end', onEnd);
    req.off('drain', onDrain);
    req.off('close', stop);
  };
  const onData = (chunk: Buffer) => {
    if (chunk.length === 0) return;
    if (!guard.admit(chunk.length)) {
      stop();
      return;
    }
    if (guard.reachedEnd()) last = chunk;
    else if (!req.write(chunk)) source.pause();
  };
  const onDrain = () => source.resume();
  const onEnd = () => {
    stop();
    if (guard.complete()) req.end(last);
  };
  // Stays attached: a source failing after the request ended must not go unhandled.
  source.on('error', (err: Error) => {
    stop();
    fail(err);
  });
  source.on('end', onEnd);
  req.on('drain', onDrain);
  req.once('close', stop);
  source.on('data', onData);
}

export function sendBody(body: Body | undefined, req: http.ClientRequest, declared: number | undefined, fail: Fail): void {
  if (body === undefined) {
    if (declared !== undefined && declared > 0) fail(new ContentLengthMismatchError(declared, 0, true));
    else req.end();
    return;
  }
  if (body instanceof RuntimeBody && body.native instanceof Readable) {
    pipeNodeBody(body.native, req, declared, fail);
    return;
  }
  void writeWebBody(body instanceof RuntimeBody ? body.toWeb() : body, req, declared, fail);
}
