/**
 * The store's change feed: one dedicated connection that LISTENs on the
 * policy channel and hands each notification to the subscribers. When the
 * connection drops, subscribers hear `all` (notifications may have been
 * missed; the TTL cache would otherwise be the only fallback) and it
 * reconnects with a growing, bounded delay until the store is closed.
 */
import pg from 'pg';
import { ChangeListeners, parsePolicyChange, type PolicyChangeFeed, type PolicyChangeListener } from '../policy-change.ts';
import { CHANGE_CHANNEL } from './schema.ts';

export interface ChangeListenerOptions {
  connectionString: string;
  connectionTimeoutMs: number;
  /** Told about connection trouble; never given the connection string. */
  warn(message: string, error: unknown): void;
  /** Reconnect delays grow from this to `maxRetryDelayMs`. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class PostgresChangeListener implements PolicyChangeFeed {
  private readonly listeners = new ChangeListeners();
  private client: pg.Client | undefined;
  private closed = false;
  private retryDelayMs: number;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readyPromise: Promise<void>;

  constructor(private readonly options: ChangeListenerOptions) {
    this.retryDelayMs = options.minRetryDelayMs ?? 100;
    this.readyPromise = this.connect();
  }

  /** Resolves once the first LISTEN is in place (or failed; it keeps retrying). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  onChange(listener: PolicyChangeListener): () => void {
    return this.listeners.onChange(listener);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      connectionTimeoutMillis: this.options.connectionTimeoutMs,
      keepAlive: true,
    });
    let lost = false;
    const onLost = (error: unknown) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.options.warn('policy change feed lost its connection; reconnecting', error);
      // Whatever changed while we were not listening is unknown: drop everything.
      this.listeners.emit({ kind: 'all' });
      this.scheduleRetry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('connection ended')));
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL) this.listeners.emit(parsePolicyChange(message.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryDelayMs = this.options.minRetryDelayMs ?? 100;
      // Changes made between losing the old connection and this LISTEN were missed.
      this.listeners.emit({ kind: 'all' });
    } catch (error) {
      onLost(error);
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 5_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
