/**
 * What the core needs from its runtime, injected so tests freeze time,
 * Workers supply their own primitives, and Node can plug faster ones.
 */

export interface LogSink {
  /** One structured event; the sink serialises it (JSON lines on Node). */
  write(event: Record<string, unknown>): void;
  /** Write out anything held back (sinks may batch). */
  flush?(): void;
}

export interface RuntimeContext {
  now(): Date;
  /** Fills `bytes` with cryptographically strong random values. */
  randomBytes(bytes: Uint8Array): Uint8Array;
  log: LogSink;
  /**
   * Keeps background work (recording a key's last use, …) alive after the
   * response has gone, on runtimes that end an invocation with its response
   * (Workers' `ctx.waitUntil`). Absent where pending promises run to the end
   * anyway, as on Node.
   */
  waitUntil?(work: Promise<unknown>): void;
}

export function defaultRuntime(overrides: Partial<RuntimeContext> = {}): RuntimeContext {
  return {
    now: () => new Date(),
    randomBytes: (bytes) => crypto.getRandomValues(bytes),
    log: { write: (event) => console.log(JSON.stringify(event)) },
    ...overrides,
  };
}

/** Request ids: a random per-process prefix and a counter — unique, cheap, 16 hex digits like S3's. */
export function requestIdGenerator(runtime: RuntimeContext): () => string {
  const prefix = Array.from(runtime.randomBytes(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
  let counter = 0;
  return () => {
    counter = (counter + 1) >>> 0;
    return prefix + counter.toString(16).toUpperCase().padStart(8, '0');
  };
}
