/**
 * The operational sections of the configuration document: `metrics`
 * (Prometheus scrape and `Server-Timing`), `limits` (token-bucket rate
 * limits), `quotas` (per-account egress and request quotas over a UTC day or
 * month) and `metering` (one usage record per request, to a sink). Shapes
 * and per-field rules only; which sinks and listeners a runtime can offer is
 * checked with its `RuntimeLimits`.
 */
import { z } from 'zod';
import { parseCidr } from '../core/limits/client-ip.ts';
import { listenProblem, serviceUrlProblem } from './rules.ts';
import { nonEmpty, ruled } from './schema-parts.ts';

export const metricsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Node: serve `/.metrics` on this host:port only (not on the S3 listener). */
  listen: ruled(listenProblem).optional(),
  /** Add `Server-Timing: backend;dur=…, total;dur=…` to responses. */
  serverTiming: z.boolean().default(false),
  /** Label request counters with the bucket, for at most this many buckets (the rest read `other`); 0: no bucket label. */
  bucketLabels: z.number().int().min(0).max(1000).default(0),
});

export const rateRuleSchema = z
  .strictObject({
    ratePerSecond: z.number().positive({ error: 'must be greater than 0' }).max(1_000_000),
    /** Tokens a bucket holds when full; defaults to one second's worth (at least 1). */
    burst: z.number().int().min(1).max(100_000_000).optional(),
  })
  .transform((rule) => ({ ratePerSecond: rule.ratePerSecond, burst: rule.burst ?? Math.max(1, Math.ceil(rule.ratePerSecond)) }));

const accountLimitsSchema = z.strictObject({
  perCredential: rateRuleSchema.optional(),
  perAccount: rateRuleSchema.optional(),
});

export const limitsSchema = z.strictObject({
  /** Each access key or session credential. */
  perCredential: rateRuleSchema.optional(),
  /** All of an account's credentials together. */
  perAccount: rateRuleSchema.optional(),
  /** Each client address, for anonymous callers. */
  perAnonymousIp: rateRuleSchema.optional(),
  /** Per-account overrides of `perCredential` and `perAccount`. */
  accounts: z.record(z.string(), accountLimitsSchema).default({}),
  /** An extra bucket per caller (credential, or address when anonymous) and bucket. */
  buckets: z.record(z.string(), z.strictObject({ perCaller: rateRuleSchema })).default({}),
  /** Share the buckets across the fleet through the Redis tier (`policy.redisUrl`) when it is configured. */
  shared: z.boolean().default(true),
  /** Bound on the token buckets one process holds. */
  maxBuckets: z.number().int().min(100).max(10_000_000).default(100_000),
});

const quotaSchema = z.strictObject({
  /** UTC calendar period the counters reset on. */
  period: z.enum(['day', 'month']).optional(),
  /** Response body bytes the account's callers may download per period. */
  egressBytes: z.number().int().min(0).optional(),
  /** Requests the account's callers may make per period. */
  requests: z.number().int().min(0).optional(),
});

export const quotasSchema = z.strictObject({
  period: z.enum(['day', 'month']).default('month'),
  /** Applies to every account without an entry of its own. */
  default: quotaSchema.optional(),
  accounts: z.record(z.string(), quotaSchema).default({}),
  shared: z.boolean().default(true),
});

export const meteringSinkSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('file'),
    /** JSON lines, appended (Node). */
    path: nonEmpty('path'),
  }),
  z.strictObject({
    type: z.literal('http'),
    /** Batches are POSTed here as a JSON array. */
    url: ruled(serviceUrlProblem(['http:', 'https:'])),
    headers: z.record(z.string(), z.string()).default({}),
    batchSize: z.number().int().min(1).max(10_000).default(100),
    flushIntervalMs: z.number().int().min(10).max(600_000).default(5_000),
    /** Records held before new ones are dropped (and counted). */
    maxQueue: z.number().int().min(1).max(1_000_000).default(10_000),
    maxAttempts: z.number().int().min(1).max(20).default(5),
  }),
  z.strictObject({
    type: z.literal('analytics-engine'),
    /** The Workers Analytics Engine dataset binding's name. */
    binding: nonEmpty('binding'),
  }),
]);

export const meteringSchema = z.strictObject({
  sink: meteringSinkSchema,
});

/** `10.0.0.0/8`, `::1`, …: a problem message when not an address or CIDR. */
export function cidrProblem(text: string): string | undefined {
  return parseCidr(text) ? undefined : 'must be an IP address or CIDR (e.g. 10.0.0.0/8, ::1/128)';
}
