/**
 * One call at a time per key: callers asking for a key already in flight
 * share its promise, so concurrent misses for one chunk (or one object's
 * metadata) reach the backend once.
 */
export class SingleFlight<T> {
  private readonly pending = new Map<string, Promise<T>>();

  get inFlight(): number {
    return this.pending.size;
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.pending.get(key);
    if (running) return running;
    const started = work().finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return started;
  }
}
