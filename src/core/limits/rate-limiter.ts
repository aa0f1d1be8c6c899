/**
 * The rate-limit stage: after authentication (the caller is known), before
 * authorization and any backend call. A request draws one token from each
 * bucket that applies — its credential's, its account's, its client
 * address's when anonymous, and its caller's bucket for a bucket with a
 * limit of its own — and is refused with 503 `SlowDown` and `Retry-After`
 * (as S3 answers an excessive request rate) when any is empty.
 */
import type { LimitsConfig } from '../config.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { Identity } from '../identity.ts';
import type { BucketTake, RateRule, TokenBucketStore } from './token-buckets.ts';

/** What the stage knows about a request. */
export interface LimitSubject {
  identity: Identity;
  /** The client address (after trusted-proxy handling). */
  clientIp?: string;
  /** The bucket named, when there is one. */
  bucket?: string;
}

export type RateLimitScope = 'credential' | 'account' | 'anonymous_ip' | 'bucket';

export interface RateLimiter {
  /** Resolves when the request may go on; throws `SlowDown` otherwise. */
  check(subject: LimitSubject): Promise<void>;
}

export function createRateLimiter(config: LimitsConfig, store: TokenBucketStore, onRefusal: (scope: RateLimitScope) => void = () => {}): RateLimiter {
  const accounts = new Map(Object.entries(config.accounts));
  const buckets = new Map(Object.entries(config.buckets).map(([name, b]) => [name, b.perCaller]));

  function takesFor(subject: LimitSubject): { takes: BucketTake[]; scopes: RateLimitScope[] } {
    const takes: BucketTake[] = [];
    const scopes: RateLimitScope[] = [];
    const add = (scope: RateLimitScope, key: string, rule: RateRule | undefined) => {
      if (!rule) return;
      takes.push({ key, rule });
      scopes.push(scope);
    };
    const { identity } = subject;
    let caller: string;
    if (identity.kind === 'principal') {
      const own = accounts.get(identity.account);
      caller = `cred:${identity.accessKeyId}`;
      add('credential', caller, own?.perCredential ?? config.perCredential);
      add('account', `acct:${identity.account}`, own?.perAccount ?? config.perAccount);
    } else {
      caller = `ip:${subject.clientIp ?? 'unknown'}`;
      add('anonymous_ip', caller, config.perAnonymousIp);
    }
    if (subject.bucket !== undefined) add('bucket', `bucket:${subject.bucket}|${caller}`, buckets.get(subject.bucket));
    return { takes, scopes };
  }

  return {
    async check(subject) {
      const { takes, scopes } = takesFor(subject);
      if (takes.length === 0) return;
      const result = await store.take(takes);
      if (result.refusedBy === undefined) return;
      onRefusal(scopes[result.refusedBy] ?? 'credential');
      throw slowDown(result.waitSeconds);
    },
  };
}

/** S3's answer to too many requests: 503 SlowDown, with the seconds after which a retry may succeed. */
export function slowDown(waitSeconds: number): S3Error {
  return new S3Error('SlowDown', 'Please reduce your request rate.', {}, { 'retry-after': String(Math.max(1, Math.ceil(waitSeconds))) });
}
