/**
 * The gateway's series, registered once per app: requests, latency, bytes,
 * in-flight requests, backend calls, caches, STS exchanges and refusals.
 * Every label is drawn from a small fixed set (operation names, status
 * classes, connection and cache names) — never a key, and a bucket only
 * when the configuration asks for it (capped, with an `other` overflow).
 */
import { type Counter, type CounterSeries, type Gauge, type GaugeSeries, type Histogram, type HistogramSeries, MetricsRegistry, OVERFLOW_LABEL } from './registry.ts';

/** The series one kind of request (operation, status class, caller, bucket) adds to, looked up once. */
interface RequestSeries {
  requests: CounterSeries;
  duration: HistogramSeries;
  bytesIn: CounterSeries;
  bytesOut: CounterSeries;
}

/** Kinds of request whose series are kept at hand; past this, a request looks its series up each time. */
const KEPT_REQUEST_KINDS = 2000;

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
  private readonly inFlightSeries: GaugeSeries;
  /** Every request touches these: looked up once per kind rather than label by label each time. */
  private readonly requestKinds = new Map<string, RequestSeries>();
  private readonly cacheOutcomes = new Map<string, CounterSeries>();

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
    this.inFlightSeries = this.inFlight.series();
  }

  /** A request has arrived; `observeRequest` ends it. */
  requestStarted(): void {
    this.inFlightSeries.inc();
  }

  /** One request, once its body has been sent (or the client left). */
  observeRequest(o: RequestObservation): void {
    this.inFlightSeries.dec();
    const statusClass = `${Math.min(5, Math.max(1, Math.floor(o.status / 100)))}xx`;
    const bucket = this.bucketLabelLimit > 0 ? this.bucketLabel(o.bucket) : '';
    const kind = `${o.operation}\u0000${statusClass}\u0000${o.auth}\u0000${bucket}`;
    let series = this.requestKinds.get(kind);
    if (!series) {
      const labels: Record<string, string> = { operation: o.operation, status_class: statusClass, auth: o.auth };
      if (this.bucketLabelLimit > 0) labels.bucket = bucket;
      const byOp = { operation: o.operation };
      series = { requests: this.requests.series(labels), duration: this.duration.series(byOp), bytesIn: this.bytesIn.series(byOp), bytesOut: this.bytesOut.series(byOp) };
      if (this.requestKinds.size < KEPT_REQUEST_KINDS) this.requestKinds.set(kind, series);
    }
    series.requests.inc();
    series.duration.observe(o.durationSeconds);
    if (o.bytesIn > 0) series.bytesIn.inc(o.bytesIn);
    if (o.bytesOut > 0) series.bytesOut.inc(o.bytesOut);
  }

  /** What one connection's timed backend reports each call into: its latency by call and outcome. */
  backendTimer(connection: string): (call: string, ms: number, ok: boolean) => void {
    // Calls are the backend interface's method names: every (call, outcome) pair is kept.
    const byCall = new Map<string, HistogramSeries>();
    return (call, ms, ok) => {
      const outcome = ok ? 'ok' : 'error';
      const key = `${call}\u0000${outcome}`;
      let series = byCall.get(key);
      if (!series) byCall.set(key, (series = this.backend.series({ connection, call, outcome })));
      series.observe(ms / 1000);
    };
  }

  record(cache: string, outcome: CacheOutcome, count = 1): void {
    // Cache names are the code's own (a handful), so every pair is kept.
    const key = `${cache}\u0000${outcome}`;
    let series = this.cacheOutcomes.get(key);
    if (!series) this.cacheOutcomes.set(key, (series = this.cache.series({ cache, outcome })));
    series.inc(count);
  }

  private bucketLabel(bucket: string | undefined): string {
    if (bucket === undefined) return '';
    if (this.bucketsSeen.has(bucket)) return bucket;
    if (this.bucketsSeen.size >= this.bucketLabelLimit) return OVERFLOW_LABEL;
    this.bucketsSeen.add(bucket);
    return bucket;
  }
}
