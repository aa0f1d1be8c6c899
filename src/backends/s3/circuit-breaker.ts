/**
 * A circuit breaker per S3 connection. After `failureThreshold` tries in a
 * row that could not reach the store (connect failures, timeouts), requests
 * fail at once for `coolDownMs` instead of each waiting out its own timeout;
 * then one probe is let through: an answer closes the circuit, another
 * failure opens it for another cool-down. Any answer from the store, even an
 * error status, proves it reachable and resets the count.
 */
import { BackendUnavailableError } from '../../core/backend-errors.ts';
import type { LogSink } from '../../core/runtime.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** While open: when the next probe may go, in ms since the epoch. */
  retryAt?: number;
}

export interface CircuitBreakerOptions {
  /** Connection name, for logs. */
  name: string;
  failureThreshold: number;
  coolDownMs: number;
  now: () => number;
  log?: LogSink;
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  snapshot(): BreakerSnapshot {
    const snapshot: BreakerSnapshot = { state: this.state, consecutiveFailures: this.failures };
    if (this.state === 'open') snapshot.retryAt = this.openedAt + this.options.coolDownMs;
    return snapshot;
  }

  /** Let a try go ahead, or throw `BackendUnavailableError` (with a Retry-After) to fail fast. */
  admit(operation: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') {
      const waited = this.options.now() - this.openedAt;
      if (waited < this.options.coolDownMs) throw this.fastFailure(operation, this.options.coolDownMs - waited);
      this.transition('half-open');
    }
    // Half-open: one probe at a time; the rest fail fast until it has its verdict.
    if (this.probing) throw this.fastFailure(operation, this.options.coolDownMs);
    this.probing = true;
  }

  /** The store answered. */
  succeeded(): void {
    this.probing = false;
    this.failures = 0;
    if (this.state !== 'closed') this.transition('closed');
  }

  /** The store could not be reached or did not answer in time. */
  failed(): void {
    this.probing = false;
    this.failures++;
    if (this.state === 'half-open' || (this.state === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.openedAt = this.options.now();
      this.transition('open');
    }
  }

  /** The try ended without a verdict on the store (the caller left, the body failed): free the probe slot. */
  released(): void {
    this.probing = false;
  }

  private fastFailure(operation: string, waitMs: number): BackendUnavailableError {
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new BackendUnavailableError(
      'storage backend unavailable',
      { operation, kind: 'circuit-open', connection: this.options.name, consecutiveFailures: this.failures },
      retryAfterSeconds,
    );
  }

  private transition(to: BreakerState): void {
    const from = this.state;
    this.state = to;
    this.options.log?.write({
      level: to === 'open' ? 'warn' : 'info',
      msg: 'backend circuit breaker',
      connection: this.options.name,
      from,
      to,
      consecutiveFailures: this.failures,
      ...(to === 'open' ? { coolDownMs: this.options.coolDownMs } : {}),
    });
  }
}
