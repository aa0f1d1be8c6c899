/**
 * docs/grafana-dashboard.json parses, is a dashboard with panels and
 * Prometheus targets, and queries only metrics the gateway registers (the
 * core's series and the Node server's own), so a renamed metric cannot leave
 * the dashboard blank. docs/operations.md names every registered metric.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { GatewayMetrics } from '../../src/core/metrics/gateway-metrics.ts';
import { addNodeMetrics } from '../../src/runtimes/node/node-metrics.ts';

const docs = new URL('../../docs/', import.meta.url);

function registeredNames(): Set<string> {
  const metrics = new GatewayMetrics();
  addNodeMetrics(metrics.registry, () => 0);
  return new Set(metrics.registry.names());
}

/** A histogram is queried through its `_bucket`, `_sum` and `_count` series. */
function baseName(series: string, registered: Set<string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (series.endsWith(suffix) && registered.has(series.slice(0, -suffix.length))) return series.slice(0, -suffix.length);
  }
  return series;
}

describe('the Grafana dashboard', () => {
  test('parses and queries only registered metrics', async () => {
    const dashboard = JSON.parse(await readFile(new URL('grafana-dashboard.json', docs), 'utf8')) as {
      title: string;
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    assert.equal(dashboard.title, 'Sluice');
    assert.ok(dashboard.panels.length >= 8);
    const registered = registeredNames();
    const queried = new Set<string>();
    for (const panel of dashboard.panels) {
      assert.ok(panel.targets.length > 0, `panel ${panel.title} has a query`);
      for (const { expr } of panel.targets) {
        const names = [...expr.matchAll(/\b(sluice_[a-z_]+)\b/g)].map((m) => m[1]!);
        assert.ok(names.length > 0, `${panel.title}: ${expr}`);
        for (const name of names) {
          const base = baseName(name, registered);
          assert.ok(registered.has(base), `${panel.title} queries ${name}, which no metric provides`);
          queried.add(base);
        }
      }
    }
    // Every series has a panel.
    assert.deepEqual([...registered].filter((name) => !queried.has(name)), []);
  });

  test('docs/operations.md documents every registered metric', async () => {
    const text = await readFile(new URL('operations.md', docs), 'utf8');
    for (const name of registeredNames()) assert.ok(text.includes(`\`${name}\``), `${name} is not in docs/operations.md`);
  });
});
