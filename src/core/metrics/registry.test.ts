/** Tests for the metrics registry: the text exposition format, cumulative histogram buckets, escaping and the bounded label sets. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MetricsRegistry, OVERFLOW_LABEL } from './registry.ts';
import { GATEWAY_METRIC_NAMES, GatewayMetrics } from './gateway-metrics.ts';

describe('metrics registry', () => {
  test('counters and gauges render with HELP, TYPE and labels', () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['op'] });
    const inFlight = registry.gauge({ name: 'x_in_flight', help: 'In flight.' });
    requests.inc({ op: 'Get' });
    requests.inc({ op: 'Get' }, 2);
    inFlight.inc();
    inFlight.inc();
    inFlight.dec();
    assert.equal(registry.render(), [
      '# HELP x_requests_total Requests.',
      '# TYPE x_requests_total counter',
      'x_requests_total{op="Get"} 3',
      '# HELP x_in_flight In flight.',
      '# TYPE x_in_flight gauge',
      'x_in_flight 1',
      '',
    ].join('\n'));
    assert.throws(() => requests.inc({ op: 'Get' }, -1), RangeError);
  });

  test('histogram buckets are cumulative, with +Inf, sum and count', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram({ name: 'x_seconds', help: 'Latency.', buckets: [0.1, 1] });
    for (const v of [0.05, 0.1, 0.5, 3]) h.observe(v);
    assert.deepEqual(registry.render().split('\n').filter((l) => !l.startsWith('#') && l !== ''), [
      'x_seconds_bucket{le="0.1"} 2',
      'x_seconds_bucket{le="1"} 3',
      'x_seconds_bucket{le="+Inf"} 4',
      'x_seconds_sum 3.65',
      'x_seconds_count 4',
    ]);
  });

  test('label values are escaped', () => {
    const registry = new MetricsRegistry();
    registry.counter({ name: 'x_total', help: 'a\\b\nc', labelNames: ['v'] }).inc({ v: 'q"\\\n' });
    const text = registry.render();
    assert.match(text, /# HELP x_total a\\\\b\\nc/);
    assert.match(text, /x_total\{v="q\\"\\\\\\n"\} 1/);
  });

  test('past maxSeries new label sets fold into one "other" series', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'x_total', help: 'x', labelNames: ['a', 'b'], maxSeries: 2 });
    for (let i = 0; i < 10; i++) c.inc({ a: `v${i}`, b: 'y' });
    c.inc({ a: 'v0', b: 'y' });
    assert.equal(c.get({ a: 'v0', b: 'y' }), 2);
    assert.equal(c.get({ a: OVERFLOW_LABEL, b: OVERFLOW_LABEL }), 8);
    assert.equal(registry.render().split('\n').filter((l) => l.startsWith('x_total')).length, 3);
  });

  test('names are checked and unique', () => {
    const registry = new MetricsRegistry();
    assert.throws(() => registry.counter({ name: 'bad-name', help: '' }), TypeError);
    assert.throws(() => registry.counter({ name: 'ok', help: '', labelNames: ['le'] }), TypeError);
    registry.counter({ name: 'ok', help: '' });
    assert.throws(() => registry.counter({ name: 'ok', help: '' }), TypeError);
  });

  test('the gateway registers exactly the names it lists, and caps bucket labels', () => {
    const metrics = new GatewayMetrics(undefined, { bucketLabelLimit: 2 });
    assert.deepEqual(metrics.registry.names().sort(), [...GATEWAY_METRIC_NAMES].sort());
    for (const bucket of ['a', 'b', 'c', 'd']) {
      metrics.observeRequest({ operation: 'GetObject', status: 200, auth: 'anonymous', bucket, durationSeconds: 0.01, bytesIn: 0, bytesOut: 5 });
    }
    const labels = (bucket: string) => ({ operation: 'GetObject', status_class: '2xx', auth: 'anonymous', bucket });
    assert.equal(metrics.requests.get(labels('a')), 1);
    assert.equal(metrics.requests.get(labels('b')), 1);
    assert.equal(metrics.requests.get(labels('other')), 2);
    assert.equal(metrics.bytesOut.get({ operation: 'GetObject' }), 20);
  });
});
