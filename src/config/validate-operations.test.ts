/** Validation of the operational sections: metrics, limits (and trusted proxies), quotas and metering, and what Workers refuse. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WORKERS_RUNTIME } from '../runtimes/workers/config.ts';
import { portableBackends } from '../backends/portable-registry.ts';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

describe('validateConfig operational sections', () => {
  it('are absent by default and filled with defaults when present', () => {
    const none = validateConfig({}, options);
    assert.deepEqual([none.metrics, none.limits, none.quotas, none.metering, none.server.trustedProxies], [undefined, undefined, undefined, undefined, undefined]);
    const config = validateConfig({
      server: { trustedProxies: ['10.0.0.0/8', '::1'] },
      metrics: {},
      limits: { perCredential: { ratePerSecond: 2.5 }, accounts: { acme: { perAccount: { ratePerSecond: 10, burst: 50 } } } },
      quotas: { accounts: { acme: { egressBytes: 1000 } } },
      metering: { sink: { type: 'file', path: 'usage.jsonl' } },
    }, options);
    assert.deepEqual(config.metrics, { enabled: true, serverTiming: false, bucketLabels: 0 });
    assert.deepEqual(config.limits?.perCredential, { ratePerSecond: 2.5, burst: 3 });
    assert.deepEqual(config.limits?.accounts.acme?.perAccount, { ratePerSecond: 10, burst: 50 });
    assert.equal(config.limits?.shared, true);
    assert.equal(config.quotas?.period, 'month');
    assert.deepEqual(config.metering?.sink, { type: 'file', path: '/srv/sluice/usage.jsonl' });
    assert.deepEqual(config.server.trustedProxies, ['10.0.0.0/8', '::1']);
  });

  it('reports every bad field at once', () => {
    assert.deepEqual(
      linesOf({
        server: { trustedProxies: ['10.0.0.0/33'] },
        metrics: { listen: 'nowhere', bucketLabels: -1 },
        limits: { perAnonymousIp: { ratePerSecond: 0 } },
        quotas: { period: 'week' },
        metering: { sink: { type: 'http', url: 'ftp://billing' } },
      }).sort(),
      [
        'server.trustedProxies[0]: must be an IP address or CIDR (e.g. 10.0.0.0/8, ::1/128)',
        'metrics.listen: must be host:port, e.g. 127.0.0.1:9000, 0.0.0.0:9000 or [::1]:9000',
        'metrics.bucketLabels: must be at least 0',
        'limits.perAnonymousIp.ratePerSecond: must be greater than 0',
        'quotas.period: must be one of "day", "month"',
        'metering.sink.url: must start with http:// or https://',
      ].sort(),
    );
  });

  it('Workers refuse a metering file and a metrics listener of its own, naming the runtime', () => {
    const lines = linesOf(
      { metrics: { listen: '127.0.0.1:9100' }, metering: { sink: { type: 'file', path: 'u.jsonl' } } },
      { backends: portableBackends, runtime: WORKERS_RUNTIME },
    );
    assert.ok(lines.some((l) => l.startsWith('metering.sink.type: type "file" is not available on Cloudflare Workers')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('metrics.listen: not available on Cloudflare Workers')), lines.join('\n'));
  });
});
