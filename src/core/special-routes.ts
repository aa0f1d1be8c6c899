/**
 * Endpoints served before S3 parsing: health and readiness. (STS, OIDC
 * discovery and the management API join here.) Only on the service host, so
 * that in virtual-host style `/.health` stays an ordinary key.
 */
import { bytesBody } from './body.ts';
import type { GatewayRequest, GatewayResponse } from './http.ts';

export interface SpecialRouteOptions {
  virtualHostDomain?: string;
  isReady: () => boolean;
}

function json(status: number, value: unknown): GatewayResponse {
  const text = JSON.stringify(value);
  return { status, headers: { 'content-type': 'application/json', 'content-length': String(text.length) }, body: bytesBody(text) };
}

function isServiceHost(req: GatewayRequest, domain: string | undefined): boolean {
  if (!domain || !req.headers.host) return true;
  const host = req.headers.host.replace(/:\d+$/, '').toLowerCase();
  return !host.endsWith(`.${domain.toLowerCase()}`);
}

export function routeSpecial(req: GatewayRequest, options: SpecialRouteOptions): { op: string; response: GatewayResponse } | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  if (req.rawPath !== '/.health' && req.rawPath !== '/.ready') return undefined;
  if (!isServiceHost(req, options.virtualHostDomain)) return undefined;
  if (req.rawPath === '/.health') return { op: 'Health', response: json(200, { status: 'ok' }) };
  const ready = options.isReady();
  return { op: 'Ready', response: json(ready ? 200 : 503, { status: ready ? 'ready' : 'draining' }) };
}
