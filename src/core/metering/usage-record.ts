/**
 * Metering: one usage record per request, for billing and chargeback, handed
 * to a sink once the response has been sent (or the client left). A sink
 * never blocks a response: it queues, batches and delivers in the
 * background, and drops — counting what it dropped — rather than wait.
 */

export interface UsageRecord {
  /** When the request arrived (ISO 8601, UTC). */
  time: string;
  requestId: string;
  /** The caller's account; absent for anonymous callers. */
  account?: string;
  /** The access key or session credential used; absent for anonymous callers. */
  accessKeyId?: string;
  bucket?: string;
  /** The S3 operation (GetObject, PutObject, …) or special route. */
  operation: string;
  method: string;
  status: number;
  /** Request body bytes (as declared by Content-Length). */
  bytesIn: number;
  /** Response body bytes actually sent. */
  bytesOut: number;
  durationMs: number;
  /** The client left before the response body was sent in full. */
  aborted?: boolean;
}

export interface MeteringSink {
  /** Queues one record; returns at once. */
  write(record: UsageRecord): void;
  /** Delivers what is queued (best effort); resolves when done. */
  flush?(): Promise<void>;
  /** Flushes and releases the sink. */
  close?(): Promise<void>;
}
