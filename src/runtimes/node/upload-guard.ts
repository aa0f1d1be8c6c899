/**
 * Upload pacing: a request body that stops arriving (no bytes for a while),
 * or arrives slower on average than a floor once a grace period has passed,
 * is cut. Without this, a client trickling a byte every few seconds holds a
 * connection — and whatever the upload holds on the backend — for ever.
 *
 * Only time spent waiting on the client counts. While bytes the server has
 * already received sit unread (the backend is slower than the client), the
 * clocks stand still, so a fast client is never blamed for a slow backend.
 */
import type { IncomingMessage } from 'node:http';
import { IncompleteUploadError } from './request-body.ts';

export interface UploadLimits {
  /** Cut an upload after this long without a byte while the server waits for one; 0: never. */
  idleTimeoutMs: number;
  /** Cut an upload whose average rate falls below this once `graceMs` of waiting has passed; 0: never. */
  minBytesPerSecond: number;
  graceMs: number;
}

export type UploadViolation = 'idle' | 'too-slow';

export class UploadTooSlowError extends IncompleteUploadError {
  constructor(readonly violation: UploadViolation) {
    super(violation === 'idle' ? 'The request body stopped arriving.' : 'The request body arrived too slowly.');
    this.name = 'UploadTooSlowError';
  }
}

/**
 * Watch `req`'s body until it has been received in full. On a violation the
 * request is destroyed with an `UploadTooSlowError` (so whoever reads the
 * body sees it fail), which also closes the connection.
 */
export function guardUpload(req: IncomingMessage, limits: UploadLimits, onViolation?: (violation: UploadViolation) => void): void {
  const { idleTimeoutMs, minBytesPerSecond, graceMs } = limits;
  if (idleTimeoutMs <= 0 && minBytesPerSecond <= 0) return;
  const socket = req.socket;
  // Counted on the socket: listening for 'data' on the request would start it flowing.
  const startBytes = socket.bytesRead;
  let lastBytes = startBytes;
  let lastTick = performance.now();
  let lastProgress = lastTick;
  let waitedMs = 0;

  const check = () => {
    if (req.complete || req.destroyed) return stop();
    const now = performance.now();
    const bytes = socket.bytesRead;
    const backlogged = req.readableLength > 0;
    if (!backlogged) waitedMs += now - lastTick;
    if (bytes !== lastBytes || backlogged) lastProgress = now;
    lastBytes = bytes;
    lastTick = now;
    let violation: UploadViolation | undefined;
    if (idleTimeoutMs > 0 && now - lastProgress >= idleTimeoutMs) violation = 'idle';
    else if (minBytesPerSecond > 0 && waitedMs > 0 && waitedMs >= graceMs && ((bytes - startBytes) * 1000) / waitedMs < minBytesPerSecond) {
      violation = 'too-slow';
    }
    if (violation) {
      stop();
      onViolation?.(violation);
      req.destroy(new UploadTooSlowError(violation));
    }
  };
  const periods = [idleTimeoutMs, minBytesPerSecond > 0 ? graceMs : 0].filter((ms) => ms > 0);
  // A quarter of the shortest limit, at most once a second: cheap, and late by at most that much.
  const interval = periods.length === 0 ? 1000 : Math.min(1000, Math.max(10, Math.min(...periods) / 4));
  const timer = setInterval(check, interval);
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    req.off('end', stop);
    req.off('close', stop);
  };
  req.once('end', stop);
  req.once('close', stop);
}
