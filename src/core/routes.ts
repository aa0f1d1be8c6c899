/**
 * Endpoints served before S3 parsing — health and readiness, and (plugged in
 * by the app) STS, OIDC discovery and the management API — as a table of
 * async handlers. Each handler answers any method itself and renders its own
 * error envelope (S3 XML, STS `<ErrorResponse>`, JSON); the gateway adds only
 * the request id and the access-log line.
 *
 * Routes answer only on the service host, so that in virtual-host style
 * `bucket.example.com/.health` stays an ordinary key.
 */
import { bytesBody } from './body.ts';
import type { GatewayRequest, GatewayResponse } from './http.ts';
import type { LogSink } from './runtime.ts';

export interface RouteContext {
  requestId: string;
  now(): Date;
  log: LogSink;
  clientIp?: string;
}

export interface SpecialRoute {
  /** The operation name the access log records. */
  op: string;
  /** An exact path (`/.sts`), or a path prefix when it ends in `/` (`/.admin/v1/`). */
  path: string;
  handle(req: GatewayRequest, ctx: RouteContext): Promise<GatewayResponse>;
}

export interface RouteTable {
  /** The route for this request, if it is not an S3 request. */
  match(req: GatewayRequest): SpecialRoute | undefined;
}

export function createRouteTable(routes: readonly SpecialRoute[], virtualHostDomain: string | undefined): RouteTable {
  const exact = new Map<string, SpecialRoute>();
  const prefixes: SpecialRoute[] = [];
  for (const route of routes) {
    if (!route.path.startsWith('/.')) throw new TypeError(`special route ${route.op}: path must start with "/.", got ${route.path}`);
    if (route.path.endsWith('/')) prefixes.push(route);
    else if (exact.has(route.path)) throw new TypeError(`two special routes for ${route.path}`);
    else exact.set(route.path, route);
  }
  const domainSuffix = virtualHostDomain === undefined ? undefined : `.${virtualHostDomain.toLowerCase()}`;
  const onServiceHost = (req: GatewayRequest) => {
    if (domainSuffix === undefined || req.headers.host === undefined) return true;
    return !req.headers.host.replace(/:\d+$/, '').toLowerCase().endsWith(domainSuffix);
  };
  return {
    match(req) {
      // Every special path starts with "/." — a bucket name never does — so S3 requests pay one comparison.
      if (req.rawPath.charCodeAt(1) !== 46 /* . */ || !onServiceHost(req)) return undefined;
      return exact.get(req.rawPath) ?? prefixes.find((route) => req.rawPath.startsWith(route.path));
    },
  };
}

/** A JSON response, the envelope of the operational and management routes. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): GatewayResponse {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return {
    status,
    headers: { 'content-type': 'application/json', 'content-length': String(bytes.byteLength), ...headers },
    body: bytesBody(bytes),
  };
}

/** What `/.ready` reports: whether to send work here, and why not. */
export interface Readiness {
  ready: boolean;
  /** `ready`, `draining`, or `degraded` (a connection that affects readiness has its circuit open). */
  status: string;
  /** Connections whose circuit breaker is not closed, by name. */
  connections?: Record<string, string>;
}

/** `/.health` (the process answers) and `/.ready` (it accepts work: not while draining, nor while a connection that counts is down). */
export function healthRoutes(readiness: () => Readiness): SpecialRoute[] {
  const onlyGet = (req: GatewayRequest) =>
    req.method === 'GET' || req.method === 'HEAD' ? undefined : jsonResponse(405, { error: 'MethodNotAllowed' }, { allow: 'GET, HEAD' });
  return [
    {
      op: 'Health',
      path: '/.health',
      handle: async (req) => onlyGet(req) ?? jsonResponse(200, { status: 'ok' }),
    },
    {
      op: 'Ready',
      path: '/.ready',
      async handle(req) {
        const refused = onlyGet(req);
        if (refused) return refused;
        const { ready, ...report } = readiness();
        return jsonResponse(ready ? 200 : 503, report);
      },
    },
  ];
}
