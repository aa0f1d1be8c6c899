/**
 * `GET /.metrics`: the registry in the Prometheus text exposition format, a
 * special route like `/.health` (served only on the service host, so
 * `bucket.example.com/.metrics` stays an ordinary key).
 */
import { bytesBody } from '../body.ts';
import { jsonResponse, type SpecialRoute } from '../routes.ts';
import { EXPOSITION_CONTENT_TYPE, type MetricsRegistry } from './registry.ts';

export const METRICS_PATH = '/.metrics';

export function metricsRoute(registry: MetricsRegistry): SpecialRoute {
  return {
    op: 'Metrics',
    path: METRICS_PATH,
    async handle(req) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return jsonResponse(405, { error: 'MethodNotAllowed' }, { allow: 'GET, HEAD' });
      const bytes = new TextEncoder().encode(registry.render());
      return {
        status: 200,
        headers: { 'content-type': EXPOSITION_CONTENT_TYPE, 'content-length': String(bytes.byteLength), 'cache-control': 'no-store' },
        body: bytesBody(bytes),
      };
    },
  };
}
