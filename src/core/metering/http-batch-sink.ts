/**
 * The HTTP metering sink: records are POSTed as a JSON array in batches —
 * when `batchSize` are waiting or `flushIntervalMs` after the first of a
 * batch — through the gateway's outbound `HttpClient`. The queue is bounded:
 * a record that finds it full is dropped and counted, never waited for. A
 * failed delivery is retried with exponential backoff up to `maxAttempts`,
 * then dropped and counted. Deliveries are background work
 * (`RuntimeContext.waitUntil` on Workers), never part of a response.
 */
import { bytesBody, readAll } from '../body.ts';
import type { HttpClient } from '../http.ts';
import type { LogSink } from '../runtime.ts';
import type { MeteringSink, UsageRecord } from './usage-record.ts';

export interface HttpBatchSinkOptions {
  url: string;
  headers?: Record<string, string>;
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  maxAttempts: number;
  http: () => HttpClient;
  log: LogSink;
  /** Called with the number of records dropped. */
  onDrop?: (count: number) => void;
  waitUntil?: (work: Promise<unknown>) => void;
  /** Backoff before retry `attempt` (1-based); default 200 ms doubling, at most 10 s. */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  /** How long `close` waits for deliveries in progress; default 5 s. */
  closeTimeoutMs?: number;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createHttpBatchSink(options: HttpBatchSinkOptions): MeteringSink {
  let queue: UsageRecord[] = [];
  /** Records in batches being delivered: they count against `maxQueue` too. */
  let inFlight = 0;
  const deliveries = new Set<Promise<void>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerFired: (() => void) | undefined;
  const backoff = options.backoffMs ?? ((attempt) => Math.min(10_000, 200 * 2 ** (attempt - 1)));
  const sleep = options.sleep ?? sleepMs;
  let warnedAt = 0;

  const drop = (count: number, reason: string) => {
    options.onDrop?.(count);
    // A warning at most once a minute: a dead endpoint must not flood the log.
    const now = Date.now();
    if (now - warnedAt > 60_000) {
      warnedAt = now;
      options.log.write({ level: 'warn', msg: 'metering records dropped', reason, count });
    }
  };

  async function deliver(batch: UsageRecord[]): Promise<void> {
    const body = JSON.stringify(batch);
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      try {
        const bytes = new TextEncoder().encode(body);
        const response = await options.http().request({
          method: 'POST',
          url: options.url,
          headers: { ...lowerCase(options.headers ?? {}), 'content-type': 'application/json', 'content-length': String(bytes.byteLength) },
          body: bytesBody(bytes),
          timeouts: { connectMs: 5_000, responseMs: 10_000, idleMs: 10_000 },
        });
        await readAll(response.body, 65_536).catch(() => undefined);
        if (response.status >= 200 && response.status < 300) return;
        // A 4xx other than 408/429 will not get better by asking again.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
      } catch {
        // retried below
      }
      if (attempt < options.maxAttempts) await sleep(backoff(attempt));
    }
    drop(batch.length, 'delivery failed');
  }

  function send(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
      timerFired?.();
    }
    while (queue.length > 0) {
      const batch = queue.slice(0, options.batchSize);
      queue = queue.slice(batch.length);
      inFlight += batch.length;
      const delivery: Promise<void> = deliver(batch).finally(() => {
        inFlight -= batch.length;
        deliveries.delete(delivery);
      });
      deliveries.add(delivery);
      options.waitUntil?.(delivery);
    }
  }

  return {
    write(record) {
      if (queue.length + inFlight >= options.maxQueue) {
        drop(1, 'queue full');
        return;
      }
      queue.push(record);
      if (queue.length >= options.batchSize) {
        send();
      } else if (timer === undefined) {
        timer = setTimeout(send, options.flushIntervalMs);
        (timer as { unref?: () => void }).unref?.();
        // Keep a Worker's invocation alive until the timer has sent the batch.
        if (options.waitUntil) options.waitUntil(new Promise<void>((resolve) => (timerFired = resolve)));
      }
    },
    async flush() {
      send();
      await Promise.all([...deliveries]);
    },
    async close() {
      send();
      // Shutdown waits for deliveries in progress, but not for a dead endpoint's whole retry schedule.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.closeTimeoutMs ?? 5_000);
      });
      await Promise.race([Promise.all([...deliveries]), limit]);
      clearTimeout(timer);
    },
  };
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
