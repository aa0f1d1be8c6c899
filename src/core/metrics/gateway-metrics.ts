/**
 * The gateway's series, registered once per app: requests, latency, bytes,
 * in-flight requests, backend calls, caches, STS exchanges and refusals.
 * Every label is drawn from a small fixed set (operation names, status
 * classes, connection and cache names) — never a key, and a bucket only
 * when the configuration asks for it (capped, with an `other` overflow).
 */
import { type Counter, type Gauge, type Histogram, MetricsRegistry, OVERFLOW_LABEL } from './registry.ts';

/** What a cache reports: served from the cache, loaded, or not cached at all for this request. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/**
 * The hook every cache reports into by name (`policy`, `jwks`,
 * `federation_credentials`, `hot_range`, …). Cheap enough to call on every
 * lookup; a cache built without metrics gets `noCacheMetrics`.
 */
export interface CacheMetrics {
  record(cache: string, outcome: CacheOutcome, count?: number): void;
}

export const noCacheMetrics: CacheMetrics = { record: () => {} };

/** The caller's kind, as the `auth` label reads it. */
export type AuthKind = 'anonymous' | 'access_key' | 'session' | 'unauthenticated';

export interface RequestObservation {
  operation: string;
  status: number;
  auth: AuthKind;
  /** Only when bucket labels are configured and the request got past authorization. */
  bucket?: string;
  durationSeconds: number;
  bytesIn: number;
  bytesOut: number;
}

export interface GatewayMetricsOptions {
  /** Add a `bucket` label to the request counters, for at most this many buckets (the rest read `other`). 0: no bucket label. */
  bucketLabelLimit?: number;
}

/** Every metric name this module registers, for docs and dashboards to check against. */
export const GATEWAY_METRIC_NAMES = [
  'sluice_requests_total',
  'sluice_request_duration_seconds',
  'sluice_request_bytes_total',
  'sluice_response_bytes_total',
  'sluice_requests_in_flight',
  'sluice_backend_request_duration_seconds',
  'sluice_cache_requests_total',
  'sluice_sts_exchanges_total',
  'sluice_rate_limit_refusals_total',
  'sluice_quota_refusals_total',
  'sluice_metering_records_dropped_total',
  'sluice_shared_limits_fallbacks_total',
] as const;

export class GatewayMetrics implements CacheMetrics {
  readonly registry: MetricsRegistry;
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly bytesIn: Counter;
  readonly bytesOut: Counter;
  readonly inFlight: Gauge;
  readonly backend: Histogram;
  readonly cache: Counter;
  readonly stsExchanges: Counter;
  readonly rateLimitRefusals: Counter;
  readonly quotaRefusals: Counter;
  readonly meteringDropped: Counter;
  readonly sharedFallbacks: Counter;
  /** How many buckets get a label of their own (0: no bucket label). */
  readonly bucketLabelLimit: number;
  private readonly bucketsSeen = new Set<string>();

  constructor(registry = new MetricsRegistry(), options: GatewayMetricsOptions = {}) {
    this.registry = registry;
    this.bucketLabelLimit = options.bucketLabelLimit ?? 0;
    const requestLabels = this.bucketLabelLimit > 0 ? ['operation', 'status_class', 'auth', 'bucket'] : ['operation', 'status_class', 'auth'];
    this.requests = registry.counter({ name: 'sluice_requests_total', help: 'Requests answered, by operation, status class and caller kind.', labelNames: requestLabels });
    this.duration = registry.histogram({ name: 'sluice_request_duration_seconds', help: 'Whole-request latency, from the request to the last body byte sent.', labelNames: ['operation'] });
    this.bytesIn = registry.counter({ name: 'sluice_request_bytes_total', help: 'Request body bytes received (as declared by Content-Length).', labelNames: ['operation'] });
    this.bytesOut = registry.counter({ name: 'sluice_response_bytes_total', help: 'Response body bytes sent.', labelNames: ['operation'] });
    this.inFlight = registry.gauge({ name: 'sluice_requests_in_flight', help: 'Requests being served (until their body has been sent).' });
    this.backend = registry.histogram({ name: 'sluice_backend_request_duration_seconds', help: 'Backend call latency (to the response headers for reads), by connection, call and outcome.', labelNames: ['connection', 'call', 'outcome'] });
    this.cache = registry.counter({ name: 'sluice_cache_requests_total', help: 'Cache lookups by cache and outcome (hit, miss, bypass).', labelNames: ['cache', 'outcome'] });
    this.stsExchanges = registry.counter({ name: 'sluice_sts_exchanges_total', help: 'STS AssumeRoleWithWebIdentity exchanges by result.', labelNames: ['result'] });
    this.rateLimitRefusals = registry.counter({ name: 'sluice_rate_limit_refusals_total', help: 'Requests refused with SlowDown by a rate limit, by the limit that refused.', labelNames: ['scope'] });
    this.quotaRefusals = registry.counter({ name: 'sluice_quota_refusals_total', help: 'Requests refused because an account quota is exhausted, by quota.', labelNames: ['quota'] });
    this.meteringDropped = registry.counter({ name: 'sluice_metering_records_dropped_total', help: 'Usage records dropped (queue full or delivery failed for good), by sink.', labelNames: ['sink'] });
    this.sharedFallbacks = registry.counter({ name: 'sluice_shared_limits_fallbacks_total', help: 'Rate-limit or quota checks answered in-process because the shared tier failed.' });
  }

  /** One request, once its body has been sent (or the client left). */
  observeRequest(o: RequestObservation): void {
    const statusClass = `${Math.min(5, Math.max(1, Math.floor(o.status / 100)))}xx`;
    const labels: Record<string, string> = { operation: o.operation, status_class: statusClass, auth: o.auth };
    if (this.bucketLabelLimit > 0) labels.bucket = this.bucketLabel(o.bucket);
    this.requests.inc(labels);
    const byOp = { operation: o.operation };
    this.duration.observe(o.durationSeconds, byOp);
    if (o.bytesIn > 0) this.bytesIn.inc(byOp, o.bytesIn);
    if (o.bytesOut > 0) this.bytesOut.inc(byOp, o.bytesOut);
  }

  record(cache: string, outcome: CacheOutcome, count = 1): void {
    this.cache.inc({ cache, outcome }, count);
  }

  private bucketLabel(bucket: string | undefined): string {
    if (bucket === undefined) return '';
    if (this.bucketsSeen.has(bucket)) return bucket;
    if (this.bucketsSeen.size >= this.bucketLabelLimit) return OVERFLOW_LABEL;
    this.bucketsSeen.add(bucket);
    return bucket;
  }
}
