/**
 * Failures an `HttpClient` reports in terms every runtime shares, so a
 * backend can tell a timeout or a framing fault from other transport errors
 * without knowing which client sent the request.
 */

export type HttpTimeoutPhase = 'connect' | 'response' | 'idle';

/**
 * A request ran out of time: opening the connection (`connect`), waiting for
 * the answer once the request was sent (`response`, up to the first body byte
 * when that was asked for), or without progress while sending or receiving
 * the body (`idle`).
 */
export class HttpTimeoutError extends Error {
  override name = 'HttpTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly phase: HttpTimeoutPhase, readonly timeoutMs: number) {
    super(
      phase === 'connect' ? `connect timed out after ${timeoutMs} ms`
        : phase === 'response' ? `no response within ${timeoutMs} ms of sending the request`
        : `no activity for ${timeoutMs} ms`,
    );
  }
}

/**
 * A request body delivered more or fewer bytes than its `Content-Length`. The
 * connection it was sent on is destroyed, never reused: surplus bytes would be
 * read by the server as the start of another request.
 */
export class ContentLengthMismatchError extends Error {
  override name = 'ContentLengthMismatchError';
  readonly code = 'ERR_HTTP_CONTENT_LENGTH_MISMATCH';
  constructor(readonly declared: number, readonly actual: number, readonly atEnd: boolean) {
    super(atEnd ? `request body ended after ${actual} of ${declared} declared bytes` : `request body exceeds its declared ${declared} bytes`);
  }
}

/** The connection failed after the response headers but before any body byte arrived. */
export class ResponseBodyStartError extends Error {
  override name = 'ResponseBodyStartError';
  readonly code = 'ECONNRESET';
  constructor(override readonly cause?: unknown) {
    super('connection closed before the response body started');
  }
}

/** The `Content-Length` a request declares, when it declares one. */
export function declaredContentLength(headers: Record<string, string>): number | undefined {
  const value = headers['content-length'];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
