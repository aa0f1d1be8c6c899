/**
 * The Node server's own series beside the gateway's: open connections
 * (read at scrape time) and connections refused by the connection cap. And
 * the optional listener of its own for `/.metrics` (`metrics.listen`), so
 * scrapes can stay on an internal address while S3 is served publicly.
 */
import { type Server, createServer } from 'node:http';
import type { Counter, MetricsRegistry } from '../../core/metrics/registry.ts';
import { EXPOSITION_CONTENT_TYPE } from '../../core/metrics/registry.ts';
import { METRICS_PATH } from '../../core/metrics/metrics-route.ts';

export const NODE_METRIC_NAMES = ['sluice_open_connections', 'sluice_connections_refused_total'] as const;

export interface NodeMetrics {
  connectionsRefused: Counter;
}

export function addNodeMetrics(registry: MetricsRegistry, openConnections: () => number): NodeMetrics {
  const open = registry.gauge({ name: 'sluice_open_connections', help: 'Client connections open on the S3 listener.' });
  registry.onCollect(() => open.set(openConnections()));
  return {
    connectionsRefused: registry.counter({ name: 'sluice_connections_refused_total', help: 'Connections refused with SlowDown because the connection cap was reached.' }),
  };
}

/** A listener that answers only `GET /.metrics`, from whichever registry serves at the time (it changes on reload). */
export function createMetricsServer(registry: () => MetricsRegistry | undefined): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const current = registry();
    if (path !== METRICS_PATH || !current) {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '10' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': '0' }).end();
      return;
    }
    const body = Buffer.from(current.render());
    res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'content-length': String(body.byteLength), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}
