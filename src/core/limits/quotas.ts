/**
 * Per-account quotas over a UTC day or month: requests, and egress (response
 * body bytes). Each request of an account counts against its request quota
 * when admitted; a GET is refused before it starts streaming once the
 * account's egress for the period has reached its quota; the bytes actually
 * sent are settled when the response ends or the client leaves. An exhausted
 * quota is 403 AccessDenied with a message saying which and until when.
 * Anonymous callers belong to no account and have no quota.
 */
import type { QuotasConfig } from '../config.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { Identity } from '../identity.ts';

/** Counters per period: this process's, or the fleet's shared tier. */
export interface QuotaCounters {
  add(key: string, amount: number, ttlMs: number): Promise<number> | number;
  get(key: string): Promise<number> | number;
}

export type QuotaKind = 'requests' | 'egress';

export interface AccountQuotas {
  /** Counts the request and throws AccessDenied when a quota is exhausted. */
  admit(identity: Identity, method: string): Promise<void>;
  /** Adds the bytes a request sent to its account's egress. */
  settle(account: string, bytesOut: number): Promise<void>;
}

interface Period {
  id: string;
  endsAt: Date;
}

/** The UTC day or month `now` falls in. */
export function currentPeriod(kind: 'day' | 'month', now: Date): Period {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (kind === 'day') {
    const d = now.getUTCDate();
    return { id: now.toISOString().slice(0, 10), endsAt: new Date(Date.UTC(y, m, d + 1)) };
  }
  return { id: now.toISOString().slice(0, 7), endsAt: new Date(Date.UTC(y, m + 1, 1)) };
}

/** Counters outlive their period by this much, so a late settlement still lands. */
const COUNTER_GRACE_MS = 3_600_000;

export function createAccountQuotas(config: QuotasConfig, counters: QuotaCounters, now: () => Date, onRefusal: (kind: QuotaKind) => void = () => {}): AccountQuotas {
  const accounts = new Map(Object.entries(config.accounts));
  const quotaOf = (account: string) => accounts.get(account) ?? config.default;

  const keyFor = (account: string, kind: QuotaKind, at: Date) => {
    const quota = quotaOf(account);
    const period = currentPeriod(quota?.period ?? config.period, at);
    return { key: `quota:${kind}:${period.id}:${account}`, period, ttlMs: period.endsAt.getTime() - at.getTime() + COUNTER_GRACE_MS };
  };

  const refuse = (kind: QuotaKind, account: string, limit: number, period: Period): never => {
    onRefusal(kind);
    const what = kind === 'egress' ? `egress quota (${limit} bytes)` : `request quota (${limit} requests)`;
    throw new S3Error('AccessDenied', `The ${what} of account ${account} is exhausted for this period; it resets at ${period.endsAt.toISOString()}.`);
  };

  return {
    async admit(identity, method) {
      if (identity.kind !== 'principal') return;
      const quota = quotaOf(identity.account);
      if (!quota) return;
      const at = now();
      if (quota.requests !== undefined) {
        const { key, period, ttlMs } = keyFor(identity.account, 'requests', at);
        const count = await counters.add(key, 1, ttlMs);
        if (count > quota.requests) refuse('requests', identity.account, quota.requests, period);
      }
      if (quota.egressBytes !== undefined && method === 'GET') {
        const { key, period } = keyFor(identity.account, 'egress', at);
        const used = await counters.get(key);
        if (used >= quota.egressBytes) refuse('egress', identity.account, quota.egressBytes, period);
      }
    },
    async settle(account, bytesOut) {
      const quota = quotaOf(account);
      if (quota?.egressBytes === undefined || bytesOut <= 0) return;
      const { key, ttlMs } = keyFor(account, 'egress', now());
      await counters.add(key, bytesOut, ttlMs);
    },
  };
}

/** Quota counters in this process; entries go when their period (and its grace) is over. */
export class LocalQuotaCounters implements QuotaCounters {
  private readonly counters = new Map<string, { value: number; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  add(key: string, amount: number, ttlMs: number): number {
    const at = this.now();
    let entry = this.counters.get(key);
    if (!entry || entry.expiresAt <= at) {
      this.sweep(at);
      entry = { value: 0, expiresAt: at + ttlMs };
      this.counters.set(key, entry);
    }
    entry.value += amount;
    return entry.value;
  }

  get(key: string): number {
    const entry = this.counters.get(key);
    return entry && entry.expiresAt > this.now() ? entry.value : 0;
  }

  private sweep(at: number): void {
    for (const [key, entry] of this.counters) if (entry.expiresAt <= at) this.counters.delete(key);
  }
}
