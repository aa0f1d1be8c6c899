/**
 * The operational parts of the app, from the `metrics`, `limits`, `quotas`
 * and `metering` sections: the metrics registry and its `/.metrics` route,
 * the admission stage (rate limits, then quotas) and the usage hook (quota
 * settlement and the metering sink). Limits and quota counters live in this
 * process, or — with the Redis tier configured — in the fleet's shared
 * counters, falling back to this process's while the tier is down.
 */
import type { SluiceConfig } from '../core/config.ts';
import type { AdmissionSubject, GatewayOptions } from '../core/gateway.ts';
import { type AccountQuotas, LocalQuotaCounters, createAccountQuotas } from '../core/limits/quotas.ts';
import { createRateLimiter } from '../core/limits/rate-limiter.ts';
import { OutageNotice, type SharedCounters, quotaCountersWithFallback, tokenBucketsWithFallback } from '../core/limits/shared-counters.ts';
import { LocalTokenBuckets } from '../core/limits/token-buckets.ts';
import { createHttpBatchSink } from '../core/metering/http-batch-sink.ts';
import type { MeteringSink, UsageRecord } from '../core/metering/usage-record.ts';
import { type CacheMetrics, GatewayMetrics, noCacheMetrics } from '../core/metrics/gateway-metrics.ts';
import { metricsRoute } from '../core/metrics/metrics-route.ts';
import type { LogSink } from '../core/runtime.ts';
import type { SpecialRoute } from '../core/routes.ts';
import type { AppServices } from './services.ts';

export interface Operations {
  /** The gateway's metrics, when the `metrics` section enables them. */
  metrics?: GatewayMetrics;
  /** Where caches report hits, misses and bypasses (a no-op without metrics). */
  cacheMetrics: CacheMetrics;
  /** Gateway options: metrics, `Server-Timing`, admission and the usage hook. */
  gateway: Partial<GatewayOptions>;
  /** `/.metrics`, unless a runtime serves it on a listener of its own (`metrics.listen`). */
  routes: SpecialRoute[];
  close(): Promise<void>;
}

export interface OperationsOptions {
  /** The metrics `createMetrics` made, when enabled. */
  metrics?: GatewayMetrics;
  /** The fleet's shared counters (the Redis tier), when configured. */
  shared?: SharedCounters;
}

/**
 * The gateway's metrics, when the `metrics` section enables them. The
 * metrics of the app a reload replaces carry on when their label set stays
 * the same, so a reload does not set every counter back to zero.
 */
export function createMetrics(config: SluiceConfig, previous?: GatewayMetrics): GatewayMetrics | undefined {
  if (!config.metrics?.enabled) return undefined;
  const bucketLabelLimit = config.metrics.bucketLabels;
  return previous?.bucketLabelLimit === bucketLabelLimit ? previous : new GatewayMetrics(undefined, { bucketLabelLimit });
}

export function createOperations(config: SluiceConfig, services: AppServices, options: OperationsOptions = {}): Operations {
  const { runtime } = services;
  const { metrics } = options;
  const gateway: Partial<GatewayOptions> = {};
  if (metrics) {
    gateway.metrics = metrics;
    if (config.metrics?.serverTiming) gateway.serverTiming = true;
  }

  const checks: Array<(subject: AdmissionSubject) => Promise<void>> = [];
  if (config.limits) {
    const limits = config.limits;
    const local = new LocalTokenBuckets({ now: () => runtime.now().getTime(), maxBuckets: limits.maxBuckets });
    const store = options.shared && limits.shared
      ? tokenBucketsWithFallback(options.shared, local, new OutageNotice(runtime.log, 'rate limits', () => metrics?.sharedFallbacks.inc()))
      : local;
    const limiter = createRateLimiter(limits, store, (scope) => metrics?.rateLimitRefusals.inc({ scope }));
    checks.push((subject) => limiter.check(subject));
  }
  let quotas: AccountQuotas | undefined;
  if (config.quotas) {
    const local = new LocalQuotaCounters(() => runtime.now().getTime());
    const counters = options.shared && config.quotas.shared
      ? quotaCountersWithFallback(options.shared, local, new OutageNotice(runtime.log, 'quotas', () => metrics?.sharedFallbacks.inc()))
      : local;
    const accountQuotas = createAccountQuotas(config.quotas, counters, () => runtime.now(), (quota) => metrics?.quotaRefusals.inc({ quota }));
    quotas = accountQuotas;
    checks.push((subject) => accountQuotas.admit(subject.identity, subject.method));
  }
  if (checks.length === 1) gateway.admit = checks[0]!;
  else if (checks.length > 1) {
    gateway.admit = async (subject) => {
      for (const check of checks) await check(subject);
    };
  }

  const sink = config.metering ? openSink(config, services, metrics) : undefined;
  if (quotas || sink) {
    const settle = quotas;
    gateway.onUsage = (usage: UsageRecord) => {
      if (settle && usage.account !== undefined && usage.bytesOut > 0) {
        const settled = settle.settle(usage.account, usage.bytesOut).catch((error: unknown) => {
          runtime.log.write({ level: 'warn', msg: 'could not settle egress', account: usage.account, error: String(error) });
        });
        runtime.waitUntil?.(settled);
      }
      sink?.write(usage);
    };
  }

  const routes = metrics && config.metrics?.listen === undefined ? [metricsRoute(metrics.registry)] : [];
  return {
    ...(metrics && { metrics }),
    cacheMetrics: metrics ?? noCacheMetrics,
    gateway,
    routes,
    async close() {
      await sink?.close?.();
    },
  };
}

function openSink(config: SluiceConfig, services: AppServices, metrics: GatewayMetrics | undefined): MeteringSink {
  const sinkConfig = config.metering!.sink;
  const onDrop = (count: number) => metrics?.meteringDropped.inc({ sink: sinkConfig.type }, count);
  if (sinkConfig.type === 'http') {
    return createHttpBatchSink({
      url: sinkConfig.url,
      headers: sinkConfig.headers,
      batchSize: sinkConfig.batchSize,
      flushIntervalMs: sinkConfig.flushIntervalMs,
      maxQueue: sinkConfig.maxQueue,
      maxAttempts: sinkConfig.maxAttempts,
      http: () => services.httpClient(),
      log: services.runtime.log,
      onDrop,
      ...(services.runtime.waitUntil !== undefined && { waitUntil: (work: Promise<unknown>) => services.runtime.waitUntil!(work) }),
    });
  }
  const sink = services.openMeteringSink?.(sinkConfig, { onDrop });
  if (!sink) throw new TypeError(`metering.sink: type "${sinkConfig.type}" is not available in this runtime`);
  return sink;
}

/** The log sink, with each `sts_exchange` audit event counted by result on its way through. */
export function countingStsExchanges(log: LogSink, metrics: GatewayMetrics): LogSink {
  return {
    write(event) {
      if (event.event === 'sts_exchange') metrics.stsExchanges.inc({ result: typeof event.result === 'string' ? event.result : 'unknown' });
      log.write(event);
    },
    ...(log.flush !== undefined && { flush: () => log.flush!() }),
  };
}

